# expect: 2.2 failed "although the window had room"
class RateLimiter:
    def __init__(self, calls: int, period: float = 1.0) -> None:
        self.calls = calls
        self.period = period
        self.lock = asyncio.Lock()

    async def acquire(self) -> None:
        # Safe, but far too careful: one call every 2 * period / calls seconds, no bursts at all.
        async with self.lock:
            await asyncio.sleep(2 * self.period / self.calls)


async def fetch_at_rate(urls: list[str], limiter: RateLimiter) -> list[dict]:
    async with aiohttp.ClientSession() as session:

        async def one(url: str) -> dict:
            await limiter.acquire()
            return await fetch_json(session, url)

        return await asyncio.gather(*(one(url) for url in urls))
