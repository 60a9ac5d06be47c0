# expect: 4.4 failed "an ExceptionGroup of BatchFailed"
async def fetch_batch(fetch, urls):
    # Raises in each except* clause: Python bundles the two BatchFailed into a new group.
    try:
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(fetch(url)) for url in urls]
    except* aiohttp.ClientResponseError as group:
        raise BatchFailed(list(group.exceptions))
    except* TimeoutError as group:
        raise BatchFailed(list(group.exceptions))
    return [task.result() for task in tasks]
