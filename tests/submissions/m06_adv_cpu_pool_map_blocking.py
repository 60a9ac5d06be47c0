# expect: 6.1 failed "blocked the event loop"
# task: 6.1
# verdict: wrong
# clause: "keep the event loop free meanwhile: ... **no blocking wait such as `future.result()` or `_pool.map(...)`**"
# defect: Uses the shared pool correctly but collects the results with list(_pool.map(...)) inside the coroutine, which blocks the event loop until every worker has finished.
_pool: ProcessPoolExecutor | None = None  # the pool: created once, then reused by every call


async def cpu_map(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """[fn(item) for item in items], computed at the same time in worker processes."""
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor()
    # map hands every item to the workers at once and keeps the order of items
    return list(_pool.map(fn, items))
