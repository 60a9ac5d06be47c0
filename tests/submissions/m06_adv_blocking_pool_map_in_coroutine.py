# expect: 6.2 failed "blocked the event loop"
# task: 6.2
# verdict: wrong
# clause: "`lookup(key)` ... Inside a coroutine it would block the event loop" / "(`loop.run_in_executor(pool, fn, item)` for each item)"
# defect: Uses a pool of `limit` threads but collects the results with list(pool.map(...)) in the coroutine, so the event loop is blocked until every call has finished.
async def blocking_map(fn: Callable[[Any], Any], items: list[Any], limit: int) -> list[Any]:
    """[fn(item) for item in items], run in threads, `limit` at a time."""
    with ThreadPoolExecutor(max_workers=limit) as pool:
        return list(pool.map(fn, items))  # in order, limit at a time
