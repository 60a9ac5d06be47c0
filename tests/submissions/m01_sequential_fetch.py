# expect: 1.1 failed "one at a time"
async def fetch_all(urls: list[str]) -> list[dict]:
    # Awaiting inside the loop: each request waits for the previous one.
    async with aiohttp.ClientSession() as session:
        return [await fetch_json(session, url) for url in urls]
