# expect: 6.2 failed "one at a time"
async def blocking_map(fn: Callable[[Any], Any], items: list[Any], limit: int) -> list[Any]:
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=limit) as pool:
        return [await loop.run_in_executor(pool, fn, item) for item in items]  # awaited one by one
