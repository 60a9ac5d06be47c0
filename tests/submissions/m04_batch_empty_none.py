# expect: 4.4 failed "With no URLs"
async def fetch_batch(fetch, urls):
    # Right, except that an empty batch gives None instead of an empty list.
    if not urls:
        return None
    failures = []
    try:
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(fetch(url)) for url in urls]
    except* aiohttp.ClientResponseError as group:
        failures.extend(group.exceptions)
    except* TimeoutError as group:
        failures.extend(group.exceptions)
    if failures:
        raise BatchFailed(failures)
    return [task.result() for task in tasks]
