# expect: 6.2 passed "no thread left behind"
async def blocking_map(fn: Callable[[Any], Any], items: list[Any], limit: int) -> list[Any]:
    # A semaphore does the limiting; a pool of our own (as big as the limit) runs the calls.
    loop = asyncio.get_running_loop()
    slots = asyncio.Semaphore(limit)
    with ThreadPoolExecutor(max_workers=limit, thread_name_prefix="lookup") as pool:

        async def one(item: Any) -> Any:
            async with slots:
                return await loop.run_in_executor(pool, fn, item)

        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(one(item)) for item in items]
    return [t.result() for t in tasks]
