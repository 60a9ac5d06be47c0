# expect: 1.4 failed "each request was awaited before the next"
# Written from the task text alone. Defect: A straight translation to aiohttp that awaits each request in the for loop: non-blocking, but sequential.
async def total_value(urls: list[str]) -> int:
    """The same total as total_value_sync, without blocking the loop, concurrently."""
    total = 0
    async with aiohttp.ClientSession() as session:
        for url in urls:
            item = await fetch_json(session, url)
            total += item["value"]
    return total
