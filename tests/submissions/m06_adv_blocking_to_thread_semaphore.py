# expect: 6.2 failed "took every one of them"
# task: 6.2
# verdict: wrong
# clause: "run the calls in a thread pool of your own with `limit` threads ..., **not in the default executor**, so that other code's `to_thread` calls always find a free thread there"
# defect: Bounds asyncio.to_thread with a Semaphore(limit), so the calls run in the shared default executor: with limit above its size they take every default thread and only DEFAULT_THREADS run at once.
async def blocking_map(fn: Callable[[Any], Any], items: list[Any], limit: int) -> list[Any]:
    """[fn(item) for item in items], run in threads, `limit` at a time."""
    gate = asyncio.Semaphore(limit)

    async def one(item: Any) -> Any:
        async with gate:  # at most `limit` calls hold a thread
            return await asyncio.to_thread(fn, item)

    return list(await asyncio.gather(*(one(item) for item in items)))
