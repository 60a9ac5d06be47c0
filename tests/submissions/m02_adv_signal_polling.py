# expect: 2.4 failed "reacts late"
# Written from the task text alone. Defect: Polls go.is_set() every half second instead of awaiting the event, so the requests start up to 0.5 s after the signal.
async def fetch_on_signal(urls: list[str], go: asyncio.Event, timeout: float) -> list[dict]:
    """Wait (at most `timeout` s) for `go`, then fetch every URL concurrently, in order."""
    give_up = time.monotonic() + timeout
    while not go.is_set():
        if time.monotonic() >= give_up:
            raise TimeoutError(f"no go signal within {timeout} s")
        await asyncio.sleep(0.5)
    async with aiohttp.ClientSession() as session:
        return list(await asyncio.gather(*(fetch_json(session, url) for url in urls)))
