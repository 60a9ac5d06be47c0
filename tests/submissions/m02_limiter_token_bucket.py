# expect: 2.2 failed "as in a token bucket"
class RateLimiter:
    # The lesson's token bucket with burst = calls and rate = calls / period.
    def __init__(self, calls: int, period: float = 1.0) -> None:
        self.calls = calls
        self.period = period
        self.rate = calls / period
        self.tokens = float(calls)
        self.updated = time.monotonic()
        self.lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self.lock:
            while True:
                now = time.monotonic()
                self.tokens = min(self.calls, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                await asyncio.sleep((1 - self.tokens) / self.rate)


async def fetch_at_rate(urls: list[str], limiter: RateLimiter) -> list[dict]:
    async with aiohttp.ClientSession() as session:

        async def one(url: str) -> dict:
            await limiter.acquire()
            return await fetch_json(session, url)

        return await asyncio.gather(*(one(url) for url in urls))
