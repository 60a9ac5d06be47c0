# expect: 1.1 error "SyntaxError"
# others: passed
async def fetch_all(urls: list[str]) -> list[dict]:
    async with aiohttp.ClientSession() as session
        return await asyncio.gather(*(fetch_json(session, u) for u in urls))
