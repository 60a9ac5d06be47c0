# expect: 1.1 failed "not in the order of the URLs"
async def fetch_all(urls: list[str]) -> list[dict]:
    # Completion order, then "fixed" by sorting on the id: only right when the ids are sorted.
    async with aiohttp.ClientSession() as session:
        items = [await c for c in asyncio.as_completed([fetch_json(session, u) for u in urls])]
    return sorted(items, key=lambda item: item["id"])
