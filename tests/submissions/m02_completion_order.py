# expect: 2.1 failed "not in the order of the coroutines"
async def bounded_gather(coros: list[Awaitable[Any]], limit: int) -> list[Any]:
    slots = asyncio.Semaphore(limit)

    async def one(coro):
        async with slots:
            return await coro

    # as_completed gives results in the order they finish
    return [await next_done for next_done in asyncio.as_completed([one(c) for c in coros])]
