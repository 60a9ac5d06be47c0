# expect: 2.2 failed "a counter that resets every period"
class RateLimiter:
    def __init__(self, calls: int, period: float = 1.0) -> None:
        self.calls = calls
        self.period = period
        self.window_start = time.monotonic()
        self.count = 0
        self.lock = asyncio.Lock()

    async def acquire(self) -> None:
        # A fixed window: count calls, reset the count every `period` seconds.
        async with self.lock:
            while True:
                now = time.monotonic()
                if now - self.window_start >= self.period:
                    self.window_start, self.count = now, 0
                if self.count < self.calls:
                    self.count += 1
                    return
                await asyncio.sleep(self.window_start + self.period - now)


async def fetch_at_rate(urls: list[str], limiter: RateLimiter) -> list[dict]:
    async with aiohttp.ClientSession() as session:

        async def one(url: str) -> dict:
            await limiter.acquire()
            return await fetch_json(session, url)

        return await asyncio.gather(*(one(url) for url in urls))
