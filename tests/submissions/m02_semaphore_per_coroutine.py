# expect: 2.1 failed "gives each coroutine a slot of its own"
async def bounded_gather(coros: list[Awaitable[Any]], limit: int) -> list[Any]:
    async def one(coro):
        async with asyncio.Semaphore(limit):  # a new semaphore for every coroutine: no limit
            return await coro

    return await asyncio.gather(*(one(c) for c in coros))
