# expect: 2.4 passed "the timeout covered only the wait"
async def fetch_on_signal(urls: list[str], go: asyncio.Event, timeout: float) -> list[dict]:
    await asyncio.wait_for(go.wait(), timeout)  # the older idiom works too
    async with aiohttp.ClientSession() as session:
        return await asyncio.gather(*(fetch_json(session, u) for u in urls))
