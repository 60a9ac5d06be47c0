# expect: 4.4 failed "lists 1 of the 3 failures"
async def fetch_batch(fetch, urls):
    # Reports only the first exception of each group.
    failures = []
    try:
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(fetch(url)) for url in urls]
    except* (aiohttp.ClientResponseError, TimeoutError) as group:
        failures.append(group.exceptions[0])
    if failures:
        raise BatchFailed(failures)
    return [task.result() for task in tasks]
