# expect: 6.3 failed "the two mixed"
# task: 6.3
# verdict: wrong
# clause: "two `relay` calls running at once, each with its own feed and queue, do not mix"
# defect: The callback is a module-level function that reads the loop, queue, counter and end future from module globals, so a second relay started meanwhile redirects the first feed's prices into its own queue and count.
_loop: asyncio.AbstractEventLoop | None = None
_queue: asyncio.Queue | None = None
_finished: asyncio.Future | None = None
_count = 0


def _finish(future: asyncio.Future, n: int) -> None:
    if not future.done():
        future.set_result(n)


def _on_price(price: float | None) -> None:  # runs in the feed's thread
    global _count
    _loop.call_soon_threadsafe(_queue.put_nowait, price)
    if price is None:
        _loop.call_soon_threadsafe(_finish, _finished, _count)
    else:
        _count += 1


async def relay(make_feed: Callable[..., Any], queue: asyncio.Queue) -> int:
    """Put the feed's prices into `queue` (then None) from the loop's thread; return how many."""
    global _loop, _queue, _finished, _count
    _loop = asyncio.get_running_loop()
    _queue, _count = queue, 0
    _finished = finished = _loop.create_future()
    feed = make_feed(_on_price)
    feed.start()
    try:
        return await finished
    finally:
        feed.stop()
