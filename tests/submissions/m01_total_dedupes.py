# expect: 1.4 failed "a URL given twice counts twice"
async def total_value(urls: list[str]) -> int:
    async with aiohttp.ClientSession() as session:
        items = await asyncio.gather(*(fetch_json(session, u) for u in set(urls)))
    return sum(item["value"] for item in items)
