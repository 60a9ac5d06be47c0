# expect: 6.1 failed "in the order of the items"
_pool: ProcessPoolExecutor | None = None


async def cpu_map(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor()
    loop = asyncio.get_running_loop()
    futures = [loop.run_in_executor(_pool, fn, item) for item in items]
    return [await f for f in asyncio.as_completed(futures)]  # in the order they finish
