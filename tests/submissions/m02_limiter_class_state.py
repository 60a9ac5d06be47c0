# expect: 2.2 failed "a NEW RateLimiter(5, 0.6) made call"
class RateLimiter:
    starts: deque = deque()  # in the class body: shared by every limiter
    lock = asyncio.Lock()

    def __init__(self, calls: int, period: float = 1.0) -> None:
        self.calls = calls
        self.period = period

    async def acquire(self) -> None:
        async with self.lock:
            while len(self.starts) >= self.calls:
                wait = self.starts[0] + self.period - time.monotonic()
                if wait <= 0:
                    self.starts.popleft()
                else:
                    await asyncio.sleep(wait)
            self.starts.append(time.monotonic())


async def fetch_at_rate(urls: list[str], limiter: RateLimiter) -> list[dict]:
    async with aiohttp.ClientSession() as session:

        async def one(url: str) -> dict:
            await limiter.acquire()
            return await fetch_json(session, url)

        return await asyncio.gather(*(one(url) for url in urls))
