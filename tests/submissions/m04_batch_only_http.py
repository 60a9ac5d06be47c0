# expect: 4.4 failed "with TimeoutError inside"
async def fetch_batch(fetch, urls):
    # Handles HTTP errors only: the timeout escapes, and with it the whole group.
    failures = []
    try:
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(fetch(url)) for url in urls]
    except* aiohttp.ClientResponseError as group:
        failures.extend(group.exceptions)
    if failures:
        raise BatchFailed(failures)
    return [task.result() for task in tasks]
