# expect: 2.2 failed "spacing the calls evenly"
class RateLimiter:
    # One call every period / calls seconds: never a burst, but slower than allowed.
    def __init__(self, calls: int, period: float = 1.0) -> None:
        self.calls = calls
        self.period = period
        self.next_free = 0.0
        self.lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self.lock:
            now = time.monotonic()
            if self.next_free > now:
                await asyncio.sleep(self.next_free - now)
            self.next_free = max(now, self.next_free) + self.period / self.calls


async def fetch_at_rate(urls: list[str], limiter: RateLimiter) -> list[dict]:
    async with aiohttp.ClientSession() as session:

        async def one(url: str) -> dict:
            await limiter.acquire()
            return await fetch_json(session, url)

        return await asyncio.gather(*(one(url) for url in urls))
