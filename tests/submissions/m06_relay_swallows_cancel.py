# expect: 6.3 failed "instead of ending cancelled"
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
    try:
        await finished.wait()
    except asyncio.CancelledError:
        pass  # stops the feed below, but swallows the cancellation
    finally:
        feed.stop()
    return count
