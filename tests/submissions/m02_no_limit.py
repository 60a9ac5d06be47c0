# expect: 2.1 failed "more than the limit of 4"
async def bounded_gather(coros: list[Awaitable[Any]], limit: int) -> list[Any]:
    # Ignores the limit: every coroutine runs at once.
    return await asyncio.gather(*coros)
