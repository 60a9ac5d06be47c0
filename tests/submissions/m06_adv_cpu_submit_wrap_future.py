# expect: 6.1 passed "used the same pool"
# task: 6.1
# verdict: right
# clause: all satisfied
# defect: -
_pool: ProcessPoolExecutor | None = None  # the pool: created once, then reused by every call


def _get_pool() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor()
    return _pool


async def cpu_map(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """[fn(item) for item in items], computed at the same time in worker processes."""
    pool = _get_pool()
    # submit everything first (concurrent.futures), then await the wrapped futures together
    futures = [asyncio.wrap_future(pool.submit(fn, item)) for item in items]
    return list(await asyncio.gather(*futures))
