# expect: 1.1 failed "a URL that appears twice gives its item twice"
async def fetch_all(urls: list[str]) -> list[dict]:
    unique = list(dict.fromkeys(urls))  # "no need to fetch a URL twice", but its item must still appear twice
    async with aiohttp.ClientSession() as session:
        return await asyncio.gather(*(fetch_json(session, url) for url in unique))
