# expect: 6.3 failed "debug mode caught a call to the loop from another thread"
# task: 6.3
# verdict: wrong
# clause: "every call to the queue's methods must be made on the event loop's thread" (hand the work over with `loop.call_soon_threadsafe(...)`)
# defect: Schedules the puts with loop.call_soon instead of call_soon_threadsafe from the feed's thread: not thread-safe, does not wake the loop, and in debug mode raises RuntimeError in the feed's thread, so nothing arrives and relay never returns.
async def relay(make_feed: Callable[..., Any], queue: asyncio.Queue) -> int:
    """Put the feed's prices into `queue` (then None) from the loop's thread; return how many."""
    loop = asyncio.get_running_loop()
    finished: asyncio.Future[int] = loop.create_future()
    count = 0

    def finish(n: int) -> None:
        if not finished.done():
            finished.set_result(n)

    def callback(price: float | None) -> None:  # runs in the feed's thread
        nonlocal count
        loop.call_soon(queue.put_nowait, price)  # the put itself runs on the loop
        if price is None:
            loop.call_soon(finish, count)
        else:
            count += 1

    feed = make_feed(callback)
    feed.start()
    try:
        return await finished
    finally:
        feed.stop()
