# expect: 6.3 passed "a cancelled relay stopped its feed"
# task: 6.3
# verdict: right
# clause: all satisfied
# defect: -
from collections import deque


async def relay(make_feed: Callable[..., Any], queue: asyncio.Queue) -> int:
    """Put the feed's prices into `queue` (then None) from the loop's thread; return how many."""
    loop = asyncio.get_running_loop()
    inbox: deque = deque()  # append / popleft are atomic: safe between the two threads
    wake = asyncio.Event()

    def callback(price: float | None) -> None:  # runs in the feed's thread
        inbox.append(price)
        loop.call_soon_threadsafe(wake.set)  # only the loop's thread touches the Event

    feed = make_feed(callback)
    feed.start()
    count = 0
    try:
        while True:
            await wake.wait()
            wake.clear()
            while inbox:  # everything that arrived so far, in order
                price = inbox.popleft()
                queue.put_nowait(price)
                if price is None:
                    return count
                count += 1
    finally:
        feed.stop()
