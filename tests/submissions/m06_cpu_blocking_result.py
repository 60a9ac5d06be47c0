# expect: 6.1 failed "blocked the event loop"
_pool: ProcessPoolExecutor | None = None


async def cpu_map(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor()
    futures = [_pool.submit(fn, item) for item in items]  # in parallel, but...
    return [f.result() for f in futures]  # ...waited for with a blocking call
