# expect: 2.4 failed "its deadline also covered the requests"
# Written from the task text alone. Defect: Puts the whole body, fetching included, under asyncio.timeout(timeout), so a signal that comes in time followed by slow requests still ends in TimeoutError.
async def fetch_on_signal(urls: list[str], go: asyncio.Event, timeout: float) -> list[dict]:
    """Wait (at most `timeout` s) for `go`, then fetch every URL concurrently, in order."""
    async with asyncio.timeout(timeout):
        await go.wait()
        async with aiohttp.ClientSession() as session:
            return list(await asyncio.gather(*(fetch_json(session, url) for url in urls)))
