# expect: 2.1 failed "a semaphore kept from an earlier call"
slots = None  # made on the first call, then reused: it keeps the first call's limit


async def bounded_gather(coros: list[Awaitable[Any]], limit: int) -> list[Any]:
    global slots
    if slots is None:
        slots = asyncio.Semaphore(limit)

    async def one(coro):
        async with slots:
            return await coro

    return await asyncio.gather(*(one(c) for c in coros), return_exceptions=True)
