# expect: 6.1 failed "started during that very call"
_pool: ProcessPoolExecutor | None = None


async def cpu_map(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    global _pool
    _pool = ProcessPoolExecutor()  # replaced on every call (the old one is never shut down)
    loop = asyncio.get_running_loop()
    return list(await asyncio.gather(*(loop.run_in_executor(_pool, fn, item) for item in items)))
