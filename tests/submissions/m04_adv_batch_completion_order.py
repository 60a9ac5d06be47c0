# expect: 4.4 failed "in the order of the URLs"
# verdict: wrong
# clause: "when all succeed, returns the results **in the order of `urls`**"
# defect: Each task appends its result to a shared list when it completes, so a successful batch comes back in completion order.
async def fetch_batch(fetch, urls: list[str]) -> list[dict]:
    """All results in the order of urls, or BatchFailed with every HTTP error and timeout."""
    results: list[dict] = []

    async def one(url: str) -> None:
        results.append(await fetch(url))

    try:
        async with asyncio.TaskGroup() as tg:
            for url in urls:
                tg.create_task(one(url))
    except* (aiohttp.ClientResponseError, TimeoutError) as group:
        raise BatchFailed(list(group.exceptions)) from None
    return results
