# expect: 6.3 failed "the feed was never stopped"
# task: 6.3
# verdict: wrong
# clause: "stop the feed with `feed.stop()` however `relay` ends, **also when the task running it is cancelled (a `finally`)**"
# defect: Calls feed.stop() only after the feed has finished normally; when relay is cancelled the await raises past it and the feed's thread keeps running and calling back.
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
        loop.call_soon_threadsafe(queue.put_nowait, price)
        if price is None:
            loop.call_soon_threadsafe(finish, count)
        else:
            count += 1

    feed = make_feed(callback)
    feed.start()
    count_sent = await finished
    feed.stop()
    return count_sent
