# expect: 4.4 failed "in the order of the URLs"
async def fetch_batch(fetch, urls):
    # Collects the results as they finish: the fastest answer comes first.
    failures = []
    results = []

    async def one(url):
        results.append(await fetch(url))

    try:
        async with asyncio.TaskGroup() as tg:
            for url in urls:
                tg.create_task(one(url))
    except* aiohttp.ClientResponseError as group:
        failures.extend(group.exceptions)
    except* TimeoutError as group:
        failures.extend(group.exceptions)
    if failures:
        raise BatchFailed(failures)
    return results
