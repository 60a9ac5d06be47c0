# expect: 6.1 failed "in the order of the items"
# task: 6.1
# verdict: wrong
# clause: "returns `[fn(item) for item in items]`, **in the order of `items`**"
# defect: Collects the results with asyncio.as_completed, so they come back in the order the workers finished, not in the order of items.
_pool: ProcessPoolExecutor | None = None  # the pool: created once, then reused by every call


async def cpu_map(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """[fn(item) for item in items], computed at the same time in worker processes."""
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor()
    loop = asyncio.get_running_loop()
    futures = [loop.run_in_executor(_pool, fn, item) for item in items]
    results = []
    for next_done in asyncio.as_completed(futures):
        results.append(await next_done)
    return results
