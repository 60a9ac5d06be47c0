# expect: 2.2 failed "returned at the same moment"
class RateLimiter:
    def __init__(self, calls: int, period: float = 1.0) -> None:
        self.calls = calls
        self.period = period

    async def acquire(self) -> None:
        # Every caller waits one "slot time" on its own: they all wake together, a burst.
        await asyncio.sleep(self.period / self.calls)


async def fetch_at_rate(urls: list[str], limiter: RateLimiter) -> list[dict]:
    async with aiohttp.ClientSession() as session:

        async def one(url: str) -> dict:
            await limiter.acquire()
            return await fetch_json(session, url)

        return await asyncio.gather(*(one(url) for url in urls))
