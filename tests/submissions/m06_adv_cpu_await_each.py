# expect: 6.1 failed "ran one at a time"
# task: 6.1
# verdict: wrong
# clause: "hand every call to the pool before waiting for any ..., so that they **run at the same time** in several worker processes"
# defect: Awaits each run_in_executor call inside the for loop before submitting the next, so the calls run one after another in the pool, never two at once.
_pool: ProcessPoolExecutor | None = None  # the pool: created once, then reused by every call


async def cpu_map(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """[fn(item) for item in items], computed at the same time in worker processes."""
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor()
    loop = asyncio.get_running_loop()
    results = []
    for item in items:
        results.append(await loop.run_in_executor(_pool, fn, item))
    return results
