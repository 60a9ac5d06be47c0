# expect: 6.3 failed "returned 21; the feed sent 20 prices"
async def relay(make_feed: Callable[..., Any], queue: asyncio.Queue) -> int:
    loop = asyncio.get_running_loop()
    finished = asyncio.Event()
    count = 0

    def on_loop(price: float | None) -> None:
        nonlocal count
        queue.put_nowait(price)
        count += 1  # counts the final None too
        if price is None:
            finished.set()

    feed = make_feed(lambda price: loop.call_soon_threadsafe(on_loop, price))
    feed.start()
    try:
        await finished.wait()
    finally:
        feed.stop()
    return count
