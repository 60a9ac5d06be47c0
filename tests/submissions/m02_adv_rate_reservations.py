# expect: 2.2 passed "calls with room went at once"
# An unusual but right answer, written from the task text alone.
class RateLimiter:
    """At most `calls` acquisitions in any window of `period` seconds.

        limiter = RateLimiter(5, 1.0)
        await limiter.acquire()  # before each request

    No lock: each caller reserves its start time synchronously (no await between reading
    and writing the schedule), then sleeps until that time.
    """

    def __init__(self, calls: int, period: float = 1.0) -> None:
        self.calls = calls
        self.period = period
        self._schedule: deque[float] = deque(maxlen=calls)  # the last `calls` start times

    async def acquire(self) -> None:
        """Return as soon as one more call fits into the last `period` seconds."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        if len(self._schedule) < self.calls:
            start = now
        else:
            start = max(now, self._schedule[0] + self.period)
        self._schedule.append(start)  # maxlen drops the oldest reservation
        if start > now:
            # a cancelled sleeper keeps its reservation: conservative, never too many
            await asyncio.sleep(start - now)


async def fetch_at_rate(urls: list[str], limiter: RateLimiter) -> list[dict]:
    """Given (leave as is): fetch every URL concurrently, each after limiter.acquire()."""
    async with aiohttp.ClientSession() as session:

        async def one(url: str) -> dict:
            await limiter.acquire()
            return await fetch_json(session, url)

        return await asyncio.gather(*(one(url) for url in urls))
