# expect: 2.4 timed out "blocked the event loop"
# others: passed
async def fetch_on_signal(urls: list[str], go: asyncio.Event, timeout: float) -> list[dict]:
    while not go.is_set():  # spins without awaiting: nobody else can run, so nobody sets it
        pass
    async with aiohttp.ClientSession() as session:
        return await asyncio.gather(*(fetch_json(session, u) for u in urls))
