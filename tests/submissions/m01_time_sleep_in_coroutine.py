# expect: 1.4 failed "blocked the event loop"
async def total_value(urls: list[str]) -> int:
    # Concurrent requests, but a "polite pause" with time.sleep blocks the loop.
    async with aiohttp.ClientSession() as session:
        items = await asyncio.gather(*(fetch_json(session, u) for u in urls))
    time.sleep(0.5)
    return sum(item["value"] for item in items)
