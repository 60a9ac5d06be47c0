# expect: 1.1 failed "should return the decoded JSON"
async def fetch_all(urls: list[str]) -> list[dict]:
    async with aiohttp.ClientSession() as session:

        async def text(url: str) -> str:
            async with session.get(url) as resp:
                return await resp.text()  # the raw body, not the decoded JSON

        return await asyncio.gather(*(text(url) for url in urls))
