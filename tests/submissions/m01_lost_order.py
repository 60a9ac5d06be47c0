# expect: 1.1 failed "not in the order of the URLs"
async def fetch_all(urls: list[str]) -> list[dict]:
    # Concurrent, but collects results in completion order.
    async with aiohttp.ClientSession() as session:
        return [await c for c in asyncio.as_completed([fetch_json(session, u) for u in urls])]
