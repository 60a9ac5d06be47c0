# expect: 4.4 failed "The bug must stay visible"
async def fetch_batch(fetch, urls):
    # except ExceptionGroup + split, but when requests failed too, the bug is dropped.
    try:
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(fetch(url)) for url in urls]
    except ExceptionGroup as group:
        failed, rest = group.split((aiohttp.ClientResponseError, TimeoutError))
        if failed is not None:
            raise BatchFailed(list(failed.exceptions)) from None
        raise
    return [task.result() for task in tasks]
