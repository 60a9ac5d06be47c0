# expect: 2.4 failed "one at a time"
async def fetch_on_signal(urls: list[str], go: asyncio.Event, timeout: float) -> list[dict]:
    async with asyncio.timeout(timeout):
        await go.wait()
    async with aiohttp.ClientSession() as session:
        return [await fetch_json(session, u) for u in urls]  # awaited inside the loop
