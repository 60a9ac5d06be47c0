# expect: 6.2 failed "in the order of the items"
async def blocking_map(fn: Callable[[Any], Any], items: list[Any], limit: int) -> list[Any]:
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=limit) as pool:
        futures = [loop.run_in_executor(pool, fn, item) for item in items]
        return [await f for f in asyncio.as_completed(futures)]
