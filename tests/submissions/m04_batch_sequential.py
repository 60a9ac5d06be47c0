# expect: 4.4 failed "one after the other"
async def fetch_batch(fetch, urls):
    # A TaskGroup, but each request is awaited before the next one starts.
    failures = []
    results = []
    try:
        async with asyncio.TaskGroup() as tg:
            for url in urls:
                results.append(await tg.create_task(fetch(url)))
    except* aiohttp.ClientResponseError as group:
        failures.extend(group.exceptions)
    except* TimeoutError as group:
        failures.extend(group.exceptions)
    if failures:
        raise BatchFailed(failures)
    return results
