# expect: 6.3 failed "the queue got no None"
async def relay(make_feed: Callable[..., Any], queue: asyncio.Queue) -> int:
    loop = asyncio.get_running_loop()
    finished = asyncio.Event()
    count = 0

    def on_loop(price: float | None) -> None:
        nonlocal count
        if price is None:
            finished.set()  # the end is noted, but the reader is never told
        else:
            queue.put_nowait(price)
            count += 1

    feed = make_feed(lambda price: loop.call_soon_threadsafe(on_loop, price))
    feed.start()
    try:
        await finished.wait()
    finally:
        feed.stop()
    return count
