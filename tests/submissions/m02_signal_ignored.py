# expect: 2.4 failed "before the start signal"
async def fetch_on_signal(urls: list[str], go: asyncio.Event, timeout: float) -> list[dict]:
    # Starts at once and never looks at the signal.
    async with aiohttp.ClientSession() as session:
        return await asyncio.gather(*(fetch_json(session, u) for u in urls))
