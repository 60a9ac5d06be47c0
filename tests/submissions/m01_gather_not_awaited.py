# expect: 1.1 failed "a missing `await`?"
async def fetch_all(urls: list[str]) -> list[dict]:
    async with aiohttp.ClientSession() as session:
        return asyncio.gather(*(fetch_json(session, url) for url in urls))  # no await
