# expect: 6.3 failed "the two mixed"
_target: list[asyncio.Queue] = []  # the queue the callbacks write to, shared by every relay


async def relay(make_feed: Callable[..., Any], queue: asyncio.Queue) -> int:
    loop = asyncio.get_running_loop()
    finished = asyncio.Event()
    count = 0
    _target[:] = [queue]  # a second relay replaces the first one's queue

    def on_loop(price: float | None) -> None:
        nonlocal count
        _target[0].put_nowait(price)
        if price is None:
            finished.set()
        else:
            count += 1

    feed = make_feed(lambda price: loop.call_soon_threadsafe(on_loop, price))
    feed.start()
    try:
        await finished.wait()
    finally:
        feed.stop()
    return count
