# expect: 6.2 failed "thread(s) running after it returned"
_pools: dict[int, ThreadPoolExecutor] = {}  # one pool per limit, kept for next time


async def blocking_map(fn: Callable[[Any], Any], items: list[Any], limit: int) -> list[Any]:
    loop = asyncio.get_running_loop()
    if limit not in _pools:
        _pools[limit] = ThreadPoolExecutor(max_workers=limit)
    pool = _pools[limit]  # never shut down: its threads stay after every call
    return list(await asyncio.gather(*(loop.run_in_executor(pool, fn, item) for item in items)))
