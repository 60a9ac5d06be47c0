# expect: 6.3 failed "instead of ending cancelled"
# task: 6.3
# verdict: wrong
# clause: "stop the feed ... also when the task running it is cancelled (a `finally`), **and let the cancellation through**"
# defect: Catches CancelledError, stops the feed and returns the count relayed so far, so a cancelled relay ends normally instead of cancelled.
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
    try:
        return await finished
    except asyncio.CancelledError:
        return count  # cancelled: report how many prices got through
    finally:
        feed.stop()
