# expect: 2.4 failed "should raise TimeoutError (let the one"
async def fetch_on_signal(urls: list[str], go: asyncio.Event, timeout: float) -> list[dict]:
    try:
        async with asyncio.timeout(timeout):
            await go.wait()
    except TimeoutError:
        raise RuntimeError("no start signal") from None  # the wrong exception
    async with aiohttp.ClientSession() as session:
        return await asyncio.gather(*(fetch_json(session, u) for u in urls))
