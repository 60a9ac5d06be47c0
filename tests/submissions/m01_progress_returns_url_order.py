# expect: 1.3 failed "expected the items in the order they arrived"
async def fetch_with_progress(urls: list[str], on_result) -> list[dict]:
    async with aiohttp.ClientSession() as session:

        async def one(url: str) -> dict:
            item = await fetch_json(session, url)
            on_result(item)
            return item

        return await asyncio.gather(*(one(u) for u in urls))  # URL order, not arrival order
