# expect: 2.2 failed "as in a token bucket"
# Written from the task text alone. Defect: The lesson's token bucket (burst = calls, refill calls/period): a full bucket plus the refill lets up to 2*calls starts into one period.
class RateLimiter:
    """At most `calls` acquisitions in any window of `period` seconds.

        limiter = RateLimiter(5, 1.0)
        await limiter.acquire()  # before each request
    """

    def __init__(self, calls: int, period: float = 1.0) -> None:
        self.calls = calls
        self.period = period
        self._rate = calls / period
        self._tokens = float(calls)
        self._last = time.monotonic()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Return as soon as one more call fits into the last `period` seconds."""
        async with self._lock:
            while True:
                now = time.monotonic()
                self._tokens = min(self.calls, self._tokens + (now - self._last) * self._rate)
                self._last = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self._rate)


async def fetch_at_rate(urls: list[str], limiter: RateLimiter) -> list[dict]:
    """Given (leave as is): fetch every URL concurrently, each after limiter.acquire()."""
    async with aiohttp.ClientSession() as session:

        async def one(url: str) -> dict:
            await limiter.acquire()
            return await fetch_json(session, url)

        return await asyncio.gather(*(one(url) for url in urls))
