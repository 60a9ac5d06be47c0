# expect: 4.4 failed "were still running when"
# verdict: wrong
# clause: "runs `fetch(url)` for every URL at once **in an `asyncio.TaskGroup`**" (so the rest are cancelled and every error collected)
# defect: Uses plain gather, which raises only the first error: the others are neither cancelled nor reported, and BatchFailed holds one exception.
async def fetch_batch(fetch, urls: list[str]) -> list[dict]:
    """All results in the order of urls, or BatchFailed with every HTTP error and timeout."""
    try:
        return list(await asyncio.gather(*(fetch(url) for url in urls)))
    except (aiohttp.ClientResponseError, TimeoutError) as exc:
        raise BatchFailed([exc]) from exc
