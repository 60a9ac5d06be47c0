# expect: 2.2 passed "calls with room went at once"
# An unusual but right answer, written from the task text alone.
class RateLimiter:
    """At most `calls` acquisitions in any window of `period` seconds.

        limiter = RateLimiter(5, 1.0)
        await limiter.acquire()  # before each request

    Each acquisition holds one of `calls` permits for exactly `period` seconds: the permit
    comes back by itself (call_later), so the calls in any window never exceed `calls`, and
    a waiter gets in the moment the oldest permit expires.
    """

    def __init__(self, calls: int, period: float = 1.0) -> None:
        self.calls = calls
        self.period = period
        if calls < 1 or period <= 0:
            raise ValueError("calls must be >= 1 and period > 0")
        self._permits = asyncio.Semaphore(calls)

    async def acquire(self) -> None:
        """Return as soon as one more call fits into the last `period` seconds."""
        await self._permits.acquire()
        asyncio.get_running_loop().call_later(self.period, self._permits.release)


async def fetch_at_rate(urls: list[str], limiter: RateLimiter) -> list[dict]:
    """Given (leave as is): fetch every URL concurrently, each after limiter.acquire()."""
    async with aiohttp.ClientSession() as session:

        async def one(url: str) -> dict:
            await limiter.acquire()
            return await fetch_json(session, url)

        return await asyncio.gather(*(one(url) for url in urls))
