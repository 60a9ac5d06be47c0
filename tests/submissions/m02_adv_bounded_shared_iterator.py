# expect: 2.1 failed "instead of returning"
# Written from the task text alone. Defect: -
async def bounded_gather(coros: list[Awaitable[Any]], limit: int) -> list[Any]:
    """Await all of `coros`, at most `limit` at a time; return the results in their order."""
    results: list[Any] = [None] * len(coros)
    jobs = iter(enumerate(coros))  # shared by the workers: each job is taken exactly once

    async def worker() -> None:
        for index, coro in jobs:
            results[index] = await coro

    async with asyncio.TaskGroup() as tg:
        for _ in range(min(limit, len(coros))):
            tg.create_task(worker())
    return results
