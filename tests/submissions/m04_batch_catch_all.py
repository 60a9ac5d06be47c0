# expect: 4.4 failed "a bug in the code"
async def fetch_batch(fetch, urls):
    # except* Exception catches everything, bugs included.
    failures = []
    try:
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(fetch(url)) for url in urls]
    except* Exception as group:
        failures.extend(group.exceptions)
    if failures:
        raise BatchFailed(failures)
    return [task.result() for task in tasks]
