# expect: 6.3 passed "a cancelled relay stopped its feed"
async def relay(make_feed: Callable[..., Any], queue: asyncio.Queue) -> int:
    # Another bridge: each callback schedules `queue.put(price)` on the loop; the relay counts
    # what it relays itself, reading from a private queue of its own.
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue = asyncio.Queue()
    feed = make_feed(lambda price: asyncio.run_coroutine_threadsafe(inbox.put(price), loop))
    feed.start()
    count = 0
    try:
        while (price := await inbox.get()) is not None:
            await queue.put(price)
            count += 1
        await queue.put(None)
    finally:
        feed.stop()
    return count
