# expect: 6.3 failed "debug mode caught a call to the loop from another thread"
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

    def callback(price: float | None) -> None:
        loop.call_soon(on_loop, price)  # call_soon is not thread-safe: call_soon_threadsafe is

    feed = make_feed(callback)
    feed.start()
    try:
        await finished.wait()
    finally:
        feed.stop()
    return count
