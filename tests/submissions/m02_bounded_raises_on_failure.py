# expect: 2.1 failed "raised the error instead of returning"
async def bounded_gather(coros: list[Awaitable[Any]], limit: int) -> list[Any]:
    slots = asyncio.Semaphore(limit)

    async def one(coro):
        async with slots:
            return await coro

    return await asyncio.gather(*(one(c) for c in coros))  # the first failure ends the call
