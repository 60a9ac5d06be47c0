# expect: 6.1 passed "reused the same pool"
_pool: ProcessPoolExecutor | None = ProcessPoolExecutor()  # created when the cell runs


async def cpu_map(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    # concurrent.futures futures wrapped for asyncio: just as good as run_in_executor.
    futures = [asyncio.wrap_future(_pool.submit(fn, item)) for item in items]
    return list(await asyncio.gather(*futures))
