# expect: 1.3 failed "only once every request had finished"
async def fetch_with_progress(urls: list[str], on_result) -> list[dict]:
    # The right order, but every report waits until all requests are done.
    async with aiohttp.ClientSession() as session:
        arrived = [await c for c in asyncio.as_completed([fetch_json(session, u) for u in urls])]
    for item in arrived:
        on_result(item)
    return arrived
