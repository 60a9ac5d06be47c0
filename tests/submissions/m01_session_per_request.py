# expect: 1.1 failed "opened 12 aiohttp.ClientSession objects"
async def fetch_all(urls: list[str]) -> list[dict]:
    # Concurrent and in order, but a new session (and connection pool) for every request.
    async def one(url: str) -> dict:
        async with aiohttp.ClientSession() as session:
            return await fetch_json(session, url)

    return await asyncio.gather(*(one(url) for url in urls))
