# expect: 2.4 failed "should raise TimeoutError"
async def fetch_on_signal(urls: list[str], go: asyncio.Event, timeout: float) -> list[dict]:
    await go.wait()  # waits forever when nobody sets the event
    async with aiohttp.ClientSession() as session:
        return await asyncio.gather(*(fetch_json(session, u) for u in urls))
