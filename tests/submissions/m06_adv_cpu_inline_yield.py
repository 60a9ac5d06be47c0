# expect: 6.1 failed "ran on the event loop's own thread"
# task: 6.1
# verdict: wrong
# clause: "keep the event loop free meanwhile: **no `fn(item)` in the coroutine itself**"
# defect: Calls fn(item) directly in the coroutine, yielding with asyncio.sleep(0) between items, so each CPU-heavy call blocks the event loop and nothing runs in a worker process.
_pool: ProcessPoolExecutor | None = None  # the pool: created once, then reused by every call


async def cpu_map(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """[fn(item) for item in items], computed at the same time in worker processes."""
    results = []
    for item in items:
        results.append(fn(item))
        await asyncio.sleep(0)  # give the other tasks a turn between two items
    return results
