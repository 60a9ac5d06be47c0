# expect: 1.4 failed "each request was awaited before the next one started"
async def total_value(urls: list[str]) -> int:
    # Never blocks the loop, but awaits each request before sending the next.
    total = 0
    async with aiohttp.ClientSession() as session:
        for url in urls:
            total += (await fetch_json(session, url))["value"]
    return total
