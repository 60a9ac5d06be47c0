# expect: 6.1 failed "ran one at a time"
_pool: ProcessPoolExecutor | None = None


async def cpu_map(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor()
    loop = asyncio.get_running_loop()
    # Each call is awaited before the next one is handed over: one worker busy at a time.
    return [await loop.run_in_executor(_pool, fn, item) for item in items]
