# expect: 6.3 failed "the feed was never stopped"
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

    feed = make_feed(lambda price: loop.call_soon_threadsafe(on_loop, price))
    feed.start()
    await finished.wait()  # cancelled here: the feed goes on calling back
    return count
