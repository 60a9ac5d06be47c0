# expect: 6.2 passed "no thread left behind"
# task: 6.2
# verdict: right
# clause: all satisfied
# defect: -
async def blocking_map(fn: Callable[[Any], Any], items: list[Any], limit: int) -> list[Any]:
    """[fn(item) for item in items], run in threads, `limit` at a time."""
    loop = asyncio.get_running_loop()
    results: list[Any] = [None] * len(items)
    todo = iter(enumerate(items))  # shared: each worker takes the next item as soon as it is free

    with ThreadPoolExecutor(max_workers=limit, thread_name_prefix="blocking_map") as pool:

        async def worker() -> None:
            for index, item in todo:
                results[index] = await loop.run_in_executor(pool, fn, item)

        async with asyncio.TaskGroup() as tg:
            for _ in range(min(limit, len(items))):
                tg.create_task(worker())
    return results
