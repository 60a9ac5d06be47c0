# expect: 6.3 failed "started 0 feed(s)"
async def relay(make_feed: Callable[..., Any], queue: asyncio.Queue) -> int:
    loop = asyncio.get_running_loop()
    finished = asyncio.Event()
    count = 0

    def on_loop(price: float | None) -> None:
        nonlocal count
        queue.put_nowait(price)
        if price is None:
            finished.set()
        else:
            count += 1

    feed = make_feed(lambda price: loop.call_soon_threadsafe(on_loop, price))  # never started
    try:
        await finished.wait()
    finally:
        feed.stop()
    return count
