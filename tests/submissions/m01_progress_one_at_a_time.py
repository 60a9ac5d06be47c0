# expect: 1.3 failed "The requests ran one at a time"
async def fetch_with_progress(urls: list[str], on_result) -> list[dict]:
    async with aiohttp.ClientSession() as session:
        arrived = []
        for url in urls:
            item = await fetch_json(session, url)
            on_result(item)
            arrived.append(item)
        return arrived
