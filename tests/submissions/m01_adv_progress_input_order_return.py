# expect: 1.3 failed "expected the items in the order they arrived"
# Written from the task text alone. Defect: Reports progress in completion order but returns the gather result, which is in the order of the URLs.
async def fetch_with_progress(urls: list[str], on_result) -> list[dict]:
    """Fetch concurrently; call on_result(item) as each arrives; return items in arrival order."""
    async with aiohttp.ClientSession() as session:

        async def one(url: str) -> dict:
            item = await fetch_json(session, url)
            on_result(item)
            return item

        return list(await asyncio.gather(*(one(url) for url in urls)))
