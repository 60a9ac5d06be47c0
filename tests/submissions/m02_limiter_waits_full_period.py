# expect: 2.2 failed "later than needed"
class RateLimiter:
    # When the window is full, waits a whole period from now, then starts a new window.
    def __init__(self, calls: int, period: float = 1.0) -> None:
        self.calls = calls
        self.period = period
        self.starts: deque[float] = deque()
        self.lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self.lock:
            now = time.monotonic()
            while self.starts and self.starts[0] <= now - self.period:
                self.starts.popleft()
            if len(self.starts) >= self.calls:
                await asyncio.sleep(self.period)
                self.starts.clear()
            self.starts.append(time.monotonic())


async def fetch_at_rate(urls: list[str], limiter: RateLimiter) -> list[dict]:
    async with aiohttp.ClientSession() as session:

        async def one(url: str) -> dict:
            await limiter.acquire()
            return await fetch_json(session, url)

        return await asyncio.gather(*(one(url) for url in urls))
