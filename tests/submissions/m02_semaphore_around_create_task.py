# expect: 2.1 failed "the slot is not held while the coroutine runs"
async def bounded_gather(coros: list[Awaitable[Any]], limit: int) -> list[Any]:
    slots = asyncio.Semaphore(limit)
    tasks = []
    for coro in coros:
        async with slots:  # released as soon as the task is created, not when it ends
            tasks.append(asyncio.create_task(coro))
    return await asyncio.gather(*tasks, return_exceptions=True)
