# expect: 4.4 failed "a bug in the code that handles the answer"
# verdict: wrong
# clause: "lets any other exception (a bug, such as a `ValueError` while handling an answer) **propagate unchanged**: it is not a failed request"
# defect: Catches `except* Exception`, so a ValueError from a bug is wrapped in BatchFailed like a failed request.
async def fetch_batch(fetch, urls: list[str]) -> list[dict]:
    """All results in the order of urls, or BatchFailed with every HTTP error and timeout."""
    try:
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(fetch(url)) for url in urls]
    except* Exception as group:
        raise BatchFailed(list(group.exceptions)) from None
    return [task.result() for task in tasks]
