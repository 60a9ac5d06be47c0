# expect: 1.3 failed "instead of the item"
async def fetch_with_progress(urls: list[str], on_result) -> list[dict]:
    async with aiohttp.ClientSession() as session:

        async def one(url: str):
            return url, await fetch_json(session, url)

        arrived = []
        for next_done in asyncio.as_completed([one(u) for u in urls]):
            url, item = await next_done
            on_result(url)  # reports the URL, not the item
            arrived.append(item)
        return arrived
