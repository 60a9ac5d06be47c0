# expect: 2.1 failed "the slot of a coroutine that raises is never given back"
async def bounded_gather(coros: list[Awaitable[Any]], limit: int) -> list[Any]:
    slots = asyncio.Semaphore(limit)

    async def one(coro):
        await slots.acquire()
        result = await coro  # when this raises, the release below never happens
        slots.release()
        return result

    return await asyncio.gather(*(one(c) for c in coros), return_exceptions=True)
