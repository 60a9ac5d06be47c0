# expect: 2.2 failed "returned at the same moment"
# Written from the task text alone. Defect: Checks the window, sleeps until the oldest entry expires and then records itself without checking again, so all tasks that were waiting for the same slot go through together.
class RateLimiter:
    """At most `calls` acquisitions in any window of `period` seconds.

        limiter = RateLimiter(5, 1.0)
        await limiter.acquire()  # before each request
    """

    def __init__(self, calls: int, period: float = 1.0) -> None:
        self.calls = calls
        self.period = period
        self._stamps: deque[float] = deque()

    async def acquire(self) -> None:
        """Return as soon as one more call fits into the last `period` seconds."""
        now = time.monotonic()
        while self._stamps and now - self._stamps[0] >= self.period:
            self._stamps.popleft()
        if len(self._stamps) >= self.calls:
            await asyncio.sleep(self._stamps[0] + self.period - now)
            self._stamps.popleft()
        self._stamps.append(time.monotonic())


async def fetch_at_rate(urls: list[str], limiter: RateLimiter) -> list[dict]:
    """Given (leave as is): fetch every URL concurrently, each after limiter.acquire()."""
    async with aiohttp.ClientSession() as session:

        async def one(url: str) -> dict:
            await limiter.acquire()
            return await fetch_json(session, url)

        return await asyncio.gather(*(one(url) for url in urls))
