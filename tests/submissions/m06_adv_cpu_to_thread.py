# expect: 6.1 failed "ran in threads of the kernel's own process"
# task: 6.1
# verdict: wrong
# clause: "with the calls made in a **process pool**"
# defect: Runs every call with asyncio.to_thread, i.e. in threads of the kernel's own process, where pure-Python work takes turns on the GIL instead of running in worker processes.
_pool: ProcessPoolExecutor | None = None  # the pool: created once, then reused by every call


async def cpu_map(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """[fn(item) for item in items], computed at the same time in worker processes."""
    # to_thread keeps the loop free and starts all calls at once
    return list(await asyncio.gather(*(asyncio.to_thread(fn, item) for item in items)))
