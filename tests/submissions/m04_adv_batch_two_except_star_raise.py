# expect: 4.4 failed "an ExceptionGroup of BatchFailed"
# verdict: wrong
# clause: "raises **one** `BatchFailed(failures)` ... whose list holds **every** such exception"
# defect: Raises a BatchFailed from each of two except* clauses; when HTTP errors and a timeout happen together the caller gets an ExceptionGroup of two BatchFailed, not one.
async def fetch_batch(fetch, urls: list[str]) -> list[dict]:
    """All results in the order of urls, or BatchFailed with every HTTP error and timeout."""
    try:
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(fetch(url)) for url in urls]
    except* aiohttp.ClientResponseError as http_errors:
        raise BatchFailed(list(http_errors.exceptions)) from None
    except* TimeoutError as timeouts:
        raise BatchFailed(list(timeouts.exceptions)) from None
    return [task.result() for task in tasks]
