# expect: 6.2 failed "more than the limit"
async def blocking_map(fn: Callable[[Any], Any], items: list[Any], limit: int) -> list[Any]:
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=max(1, len(items))) as pool:  # ignores the limit
        return list(await asyncio.gather(*(loop.run_in_executor(pool, fn, item) for item in items)))
