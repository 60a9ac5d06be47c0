# expect: 1.1 passed "results in order"
async def fetch_all(urls: list[str]) -> list[dict]:
    # The gather version: results in the order of the coroutines.
    async with aiohttp.ClientSession() as session:
        return await asyncio.gather(*(fetch_json(session, url) for url in urls))
