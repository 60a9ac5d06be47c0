# expect: 2.2 failed "later than needed"
# Written from the task text alone. Defect: When the window is full it waits until the newest acquisition is a period old and clears the window, so starts come in bursts with idle gaps.
class RateLimiter:
    """At most `calls` acquisitions in any window of `period` seconds.

        limiter = RateLimiter(5, 1.0)
        await limiter.acquire()  # before each request
    """

    def __init__(self, calls: int, period: float = 1.0) -> None:
        self.calls = calls
        self.period = period
        self._stamps: list[float] = []
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Return as soon as one more call fits into the last `period` seconds."""
        async with self._lock:
            now = time.monotonic()
            self._stamps = [t for t in self._stamps if now - t < self.period]
            if len(self._stamps) >= self.calls:
                await asyncio.sleep(self._stamps[-1] + self.period - now)
                self._stamps.clear()
            self._stamps.append(time.monotonic())


async def fetch_at_rate(urls: list[str], limiter: RateLimiter) -> list[dict]:
    """Given (leave as is): fetch every URL concurrently, each after limiter.acquire()."""
    async with aiohttp.ClientSession() as session:

        async def one(url: str) -> dict:
            await limiter.acquire()
            return await fetch_json(session, url)

        return await asyncio.gather(*(one(url) for url in urls))
