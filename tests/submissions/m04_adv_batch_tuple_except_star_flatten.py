# expect: 4.4 passed "a bug passed through"
# verdict: right
# clause: all satisfied
# defect: -
_REQUEST_FAILURES = (aiohttp.ClientResponseError, TimeoutError)


def _flatten(group: BaseExceptionGroup) -> list[BaseException]:
    leaves: list[BaseException] = []
    for exc in group.exceptions:
        leaves.extend(_flatten(exc) if isinstance(exc, BaseExceptionGroup) else [exc])
    return leaves


async def fetch_batch(fetch, urls: list[str]) -> list[dict]:
    """All results in the order of urls, or BatchFailed with every HTTP error and timeout."""
    try:
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(fetch(url)) for url in urls]
    except* _REQUEST_FAILURES as group:
        raise BatchFailed(_flatten(group)) from None
    return [task.result() for task in tasks]
