# expect: 4.4 failed "were still running"
async def fetch_batch(fetch, urls):
    # gather raises the first failure and leaves the other requests running.
    try:
        return list(await asyncio.gather(*(fetch(url) for url in urls)))
    except (aiohttp.ClientResponseError, TimeoutError) as exc:
        raise BatchFailed([exc]) from exc
