# expect: 1.1 failed "fetch each URL exactly once"
async def fetch_all(urls: list[str]) -> list[dict]:
    async with aiohttp.ClientSession() as session:
        items = await asyncio.gather(*(fetch_json(session, url) for url in urls))
        if urls:
            await fetch_json(session, urls[0])  # "just checking" the first one again
        return items
