# expect: 4.4 passed "a bug passed through"
async def fetch_batch(fetch, urls):
    # A valid alternative to except*: except ExceptionGroup and split() it.
    try:
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(fetch(url)) for url in urls]
    except ExceptionGroup as group:
        failed, rest = group.split((aiohttp.ClientResponseError, TimeoutError))
        if rest is not None:
            raise rest from None
        raise BatchFailed(list(failed.exceptions)) from None
    return [task.result() for task in tasks]
