# expect: 6.1 failed "ran in threads of the kernel's own process"
_pool: ProcessPoolExecutor | None = None


async def cpu_map(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    # Threads keep the loop free, but pure Python holds the GIL: no faster than one core.
    return list(await asyncio.gather(*(asyncio.to_thread(fn, item) for item in items)))
