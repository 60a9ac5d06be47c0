# expect: 3.1 failed "more than 4 in flight"
async def fetch_with_pool(urls: list[str], workers: int) -> list[dict]:
    # Ignores `workers`: every URL at once.
    async with aiohttp.ClientSession() as session:
        return await asyncio.gather(*(fetch_json(session, url) for url in urls))
