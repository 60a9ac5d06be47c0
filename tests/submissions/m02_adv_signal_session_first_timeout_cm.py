# expect: 2.4 passed "the timeout covered only the wait"
# An unusual but right answer, written from the task text alone.
async def fetch_on_signal(urls: list[str], go: asyncio.Event, timeout: float) -> list[dict]:
    """Wait (at most `timeout` s) for `go`, then fetch every URL concurrently, in order."""
    # Open the session first (opening it sends nothing) so the requests can leave the
    # moment the signal arrives; asyncio.timeout() covers only the wait for the signal.
    async with aiohttp.ClientSession() as session:
        async with asyncio.timeout(timeout):
            await go.wait()
        return list(await asyncio.gather(*(fetch_json(session, url) for url in urls)))
