# expect: 4.4 failed "a list kept between calls"
async def fetch_batch(fetch, urls, failures=[]):
    # A mutable default argument: the failures of earlier calls are reported again.
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
