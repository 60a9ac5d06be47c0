# expect: 4.4 failed "escape"
# others: passed
async def fetch_batch(fetch, urls):
    # A TaskGroup, but the ExceptionGroup is never turned into BatchFailed.
    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(fetch(url)) for url in urls]
    return [task.result() for task in tasks]
