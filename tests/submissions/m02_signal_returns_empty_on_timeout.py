# expect: 2.4 failed "let the TimeoutError from asyncio.timeout propagate"
async def fetch_on_signal(urls: list[str], go: asyncio.Event, timeout: float) -> list[dict]:
    try:
        async with asyncio.timeout(timeout):
            await go.wait()
    except TimeoutError:
        return []  # hides that the signal never came
    async with aiohttp.ClientSession() as session:
        return await asyncio.gather(*(fetch_json(session, u) for u in urls))
