# expect: 6.2 failed "took every one of them"
async def blocking_map(fn: Callable[[Any], Any], items: list[Any], limit: int) -> list[Any]:
    # A semaphore bounds the calls, but to_thread runs them in the default executor: with a
    # limit above its size, they take all of its threads.
    slots = asyncio.Semaphore(limit)

    async def one(item: Any) -> Any:
        async with slots:
            return await asyncio.to_thread(fn, item)

    return list(await asyncio.gather(*(one(item) for item in items)))
