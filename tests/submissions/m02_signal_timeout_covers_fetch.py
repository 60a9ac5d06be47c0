# expect: 2.4 failed "its deadline also covered the requests"
async def fetch_on_signal(urls: list[str], go: asyncio.Event, timeout: float) -> list[dict]:
    async with asyncio.timeout(timeout):  # the deadline also covers the fetching
        await go.wait()
        async with aiohttp.ClientSession() as session:
            return await asyncio.gather(*(fetch_json(session, u) for u in urls))
