# expect: 6.1 failed "the pool was shut down at the end of the call"
_pool: ProcessPoolExecutor | None = None


async def cpu_map(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor() as pool:  # a new pool per call, shut down when the block ends
        return list(await asyncio.gather(*(loop.run_in_executor(pool, fn, item) for item in items)))
