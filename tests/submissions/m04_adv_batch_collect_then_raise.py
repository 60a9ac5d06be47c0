# expect: 4.4 passed "a bug passed through"
# verdict: right
# clause: all satisfied
# defect: -
async def fetch_batch(fetch, urls: list[str]) -> list[dict]:
    """All results in the order of urls, or BatchFailed with every HTTP error and timeout."""
    failures: list[BaseException] = []
    results: list[dict | None] = [None] * len(urls)

    async def one(index: int, url: str) -> None:
        results[index] = await fetch(url)

    try:
        async with asyncio.TaskGroup() as tg:
            for index, url in enumerate(urls):
                tg.create_task(one(index, url))
    except* aiohttp.ClientResponseError as group:
        failures.extend(group.exceptions)
    except* TimeoutError as group:
        failures.extend(group.exceptions)
    # anything else (a ValueError...) was re-raised by the try statement and never gets here
    if failures:
        raise BatchFailed(failures)
    return results  # type: ignore[return-value]
