# expect: 4.4 failed "holds exception groups"
async def fetch_batch(fetch, urls):
    # Collects the groups themselves instead of the exceptions inside them.
    failures = []
    try:
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(fetch(url)) for url in urls]
    except* aiohttp.ClientResponseError as group:
        failures.append(group)
    except* TimeoutError as group:
        failures.append(group)
    if failures:
        raise BatchFailed(failures)
    return [task.result() for task in tasks]
