# expect: 6.1 failed "Create the pool once, outside the calls"
# task: 6.1
# verdict: wrong
# clause: "create the pool **once**, `ProcessPoolExecutor()`, and keep it in the module-level variable `_pool` ...; every later call reuses it. No pool per call, and do not shut the pool down when a call ends"
# defect: Creates a fresh ProcessPoolExecutor in every call and shuts it down (without waiting) when the call ends, so each call starts new worker processes and `_pool` is never used.
_pool: ProcessPoolExecutor | None = None  # the pool: created once, then reused by every call


async def cpu_map(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """[fn(item) for item in items], computed at the same time in worker processes."""
    loop = asyncio.get_running_loop()
    pool = ProcessPoolExecutor()
    try:
        futures = [loop.run_in_executor(pool, fn, item) for item in items]
        return list(await asyncio.gather(*futures))
    finally:
        pool.shutdown(wait=False)  # wait=False: do not block the loop while the workers exit
