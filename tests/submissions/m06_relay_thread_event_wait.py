# expect: 6.3 failed "blocked the event loop"
async def relay(make_feed: Callable[..., Any], queue: asyncio.Queue) -> int:
    loop = asyncio.get_running_loop()
    done = threading.Event()
    count = 0

    def callback(price: float | None) -> None:
        nonlocal count
        loop.call_soon_threadsafe(queue.put_nowait, price)
        if price is None:
            done.set()
        else:
            count += 1

    feed = make_feed(callback)
    feed.start()
    try:
        done.wait()  # a blocking wait: the loop is stuck until the feed ends
    finally:
        feed.stop()
    return count
