# expect: 6.3 failed "was called from the thread 'PriceFeed'"
async def relay(make_feed: Callable[..., Any], queue: asyncio.Queue) -> int:
    finished = asyncio.Event()
    count = 0

    def callback(price: float | None) -> None:  # in the feed's thread
        nonlocal count
        queue.put_nowait(price)  # not thread-safe
        if price is None:
            finished.set()
        else:
            count += 1

    feed = make_feed(callback)
    feed.start()
    try:
        await finished.wait()
    finally:
        feed.stop()
    return count
