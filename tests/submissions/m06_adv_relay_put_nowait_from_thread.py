# expect: 6.3 failed "was called from the thread 'PriceFeed'"
# task: 6.3
# verdict: wrong
# clause: "every call to the queue's methods must be made on the event loop's thread, **never in the feed's**"
# defect: The callback calls queue.put_nowait(price) directly in the feed's thread (the queue is unbounded, so it "cannot block"); only the end signal goes through call_soon_threadsafe.
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
        queue.put_nowait(price)  # unbounded queue: never raises QueueFull
        if price is None:
            loop.call_soon_threadsafe(finish, count)
        else:
            count += 1

    feed = make_feed(callback)
    feed.start()
    try:
        return await finished
    finally:
        feed.stop()
