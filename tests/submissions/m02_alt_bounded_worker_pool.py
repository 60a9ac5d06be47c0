# expect: 2.1 passed "failed coroutines gave their slots back"
async def bounded_gather(coros: list[Awaitable[Any]], limit: int) -> list[Any]:
    # `limit` workers take the next coroutine from a shared iterator.
    results: list[Any] = [None] * len(coros)
    todo = iter(enumerate(coros))

    async def worker() -> None:
        for i, coro in todo:
            try:
                results[i] = await coro
            except Exception as exc:
                results[i] = exc

    async with asyncio.TaskGroup() as tg:
        for _ in range(min(limit, len(coros))):
            tg.create_task(worker())
    return results
