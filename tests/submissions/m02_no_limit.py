# expect: 2.1 failed "Your code made no asyncio.Semaphore"
async def bounded_gather(coros: list[Awaitable[Any]], limit: int) -> list[Any]:
    # Ignores the limit: every coroutine runs at once.
    return await asyncio.gather(*coros)
