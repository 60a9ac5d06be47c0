# expect: 6.1 failed "sized by a call with one item"
# task: 6.1
# verdict: wrong
# clause: "create the pool once, **`ProcessPoolExecutor()`** ... so that they run at the same time in several worker processes"
# defect: Sizes the pool by the first non-empty call (one worker per item), so if that call has a single item the pool keeps exactly one worker for ever and no later call ever runs two items at once.
_pool: ProcessPoolExecutor | None = None  # the pool: created once, then reused by every call


async def cpu_map(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """[fn(item) for item in items], computed at the same time in worker processes."""
    global _pool
    if not items:
        return []
    if _pool is None:
        # no more workers than there are jobs: idle processes only cost memory
        _pool = ProcessPoolExecutor(max_workers=min(len(items), os.cpu_count() or 1))
    loop = asyncio.get_running_loop()
    return list(await asyncio.gather(*(loop.run_in_executor(_pool, fn, item) for item in items)))
