# expect: 4.4 failed "read `task.result()` after the block has ended"
async def fetch_batch(fetch, urls):
    # Reads the results inside the TaskGroup block, while the tasks are still running.
    failures = []
    try:
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(fetch(url)) for url in urls]
            results = [task.result() for task in tasks]
    except* aiohttp.ClientResponseError as group:
        failures.extend(group.exceptions)
    except* TimeoutError as group:
        failures.extend(group.exceptions)
    if failures:
        raise BatchFailed(failures)
    return results
