# expect: 6.3 failed "returned 21; the feed sent 20 prices"
# task: 6.3
# verdict: wrong
# clause: "once the feed has called back `None`, **return the number of prices**"
# defect: Counts every callback, the final None included, so it returns one more than the number of prices (1 for a feed that sent none).
async def relay(make_feed: Callable[..., Any], queue: asyncio.Queue) -> int:
    """Put the feed's prices into `queue` (then None) from the loop's thread; return how many."""
    loop = asyncio.get_running_loop()
    finished: asyncio.Future[int] = loop.create_future()
    calls = 0

    def finish(n: int) -> None:
        if not finished.done():
            finished.set_result(n)

    def callback(price: float | None) -> None:  # runs in the feed's thread
        nonlocal calls
        calls += 1
        loop.call_soon_threadsafe(queue.put_nowait, price)
        if price is None:
            loop.call_soon_threadsafe(finish, calls)

    feed = make_feed(callback)
    feed.start()
    try:
        return await finished
    finally:
        feed.stop()
