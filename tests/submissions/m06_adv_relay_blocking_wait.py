# expect: 6.3 failed "blocked the event loop"
# task: 6.3
# verdict: wrong
# clause: "once the feed has called back `None`, return the number of prices, **without blocking the event loop while you wait for that**"
# defect: Waits for the end of the feed with a threading.Event.wait() inside the coroutine, which blocks the event loop for the whole feed (the puts scheduled with call_soon_threadsafe only run afterwards).
async def relay(make_feed: Callable[..., Any], queue: asyncio.Queue) -> int:
    """Put the feed's prices into `queue` (then None) from the loop's thread; return how many."""
    loop = asyncio.get_running_loop()
    done = threading.Event()  # thread-safe, so the feed's thread may set it
    count = 0

    def callback(price: float | None) -> None:  # runs in the feed's thread
        nonlocal count
        loop.call_soon_threadsafe(queue.put_nowait, price)
        if price is None:
            done.set()
        else:
            count += 1

    feed = make_feed(callback)
    feed.start()
    try:
        done.wait()
        return count
    finally:
        feed.stop()
