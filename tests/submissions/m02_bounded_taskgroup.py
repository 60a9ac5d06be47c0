# expect: 2.1 failed "a TaskGroup cancels the others when one fails"
async def bounded_gather(coros: list[Awaitable[Any]], limit: int) -> list[Any]:
    slots = asyncio.Semaphore(limit)

    async def one(coro):
        async with slots:
            return await coro

    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(one(c)) for c in coros]
    return [t.result() for t in tasks]
