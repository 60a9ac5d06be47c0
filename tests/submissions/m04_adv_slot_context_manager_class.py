# expect: 4.3 passed "nothing released"
# verdict: right
# clause: all satisfied
# defect: -
class _Borrowed:
    """`async with _Borrowed(pool) as slot:` releases the slot with the outcome of the body."""

    def __init__(self, pool) -> None:
        self._pool = pool
        self._slot = None

    async def __aenter__(self):
        self._slot = await self._pool.acquire()
        return self._slot

    async def __aexit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            outcome = "ok"
        elif issubclass(exc_type, asyncio.CancelledError):
            outcome = "cancelled"
        else:
            outcome = "failed"
        await self._pool.release(self._slot, outcome)
        return False  # never swallow: exceptions and cancellation go on


async def fetch_with_slot(session: aiohttp.ClientSession, pool, url: str) -> dict:
    """Fetch url while holding a slot from pool; always give the slot back."""
    async with _Borrowed(pool):
        return await fetch_json(session, url)
