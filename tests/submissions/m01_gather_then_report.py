# expect: 1.3 failed "they finish in the order"
async def fetch_with_progress(urls: list[str], on_result) -> list[dict]:
    # Reports only after everything finished, and in URL order.
    async with aiohttp.ClientSession() as session:
        items = await asyncio.gather(*(fetch_json(session, u) for u in urls))
    for item in items:
        on_result(item)
    return items
