# expect: 6.2 failed "replaced the event loop's default executor"
async def blocking_map(fn: Callable[[Any], Any], items: list[Any], limit: int) -> list[Any]:
    # A pool of `limit` threads, installed as the loop's default executor for to_thread.
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=limit))
    return list(await asyncio.gather(*(asyncio.to_thread(fn, item) for item in items)))
