# expect: 1.1 failed "aiohttp.ClientSession objects for 12 URLs"
# Written from the task text alone. Defect: Opens a new ClientSession (and connection pool) for every URL instead of sharing one session.
async def fetch_all(urls: list[str]) -> list[dict]:
    """Fetch every URL concurrently; return their JSON bodies in the order of `urls`."""

    async def one(url: str) -> dict:
        async with aiohttp.ClientSession() as session:
            return await fetch_json(session, url)

    return list(await asyncio.gather(*(one(url) for url in urls)))
