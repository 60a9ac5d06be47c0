# expect: 6.3 failed "For a feed that sent no price, only None, relay raised UnboundLocalError"
async def relay(make_feed: Callable[..., Any], queue: asyncio.Queue) -> int:
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue = asyncio.Queue()
    feed = make_feed(lambda price: loop.call_soon_threadsafe(inbox.put_nowait, price))
    feed.start()
    try:
        i = 0
        while (price := await inbox.get()) is not None:
            await queue.put(price)
            n = i + 1  # only set once a price has come
            i += 1
        await queue.put(None)
    finally:
        feed.stop()
    return n
