# expect: 2.4 failed "reacts late"
async def fetch_on_signal(urls: list[str], go: asyncio.Event, timeout: float) -> list[dict]:
    async with asyncio.timeout(timeout):
        while not go.is_set():  # polls every 1.5 s instead of awaiting go.wait()
            await asyncio.sleep(1.5)
    async with aiohttp.ClientSession() as session:
        return await asyncio.gather(*(fetch_json(session, u) for u in urls))
