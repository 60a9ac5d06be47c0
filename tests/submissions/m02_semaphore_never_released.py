# expect: 2.1 timed out "a slot that is never given back"
# others: passed
async def bounded_gather(coros: list[Awaitable[Any]], limit: int) -> list[Any]:
    slots = asyncio.Semaphore(limit)

    async def one(coro):
        await slots.acquire()  # taken, but never released: after `limit` coroutines, all wait
        return await coro

    return await asyncio.gather(*(one(c) for c in coros))
