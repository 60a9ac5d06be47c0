# expect: 4.2 passed "slow requests cancelled by your code"
# verdict: right
# clause: all satisfied
# defect: -
async def fetch_until_deadline(urls: list[str], deadline: float) -> dict[str, dict]:
    """The JSON of every URL that answered successfully within `deadline` seconds."""
    arrived: dict[str, dict] = {}

    async def keep(session: aiohttp.ClientSession, url: str) -> None:
        try:
            arrived[url] = await fetch_json(session, url)
        except aiohttp.ClientError:
            pass  # a failed URL is left out; it must not cancel its siblings

    async with aiohttp.ClientSession() as session:
        try:
            # at the deadline the timeout cancels the TaskGroup's body; the TaskGroup then
            # cancels every child still running and waits for them before we go on
            async with asyncio.timeout(deadline):
                async with asyncio.TaskGroup() as tg:
                    for url in urls:
                        tg.create_task(keep(session, url))
        except TimeoutError:
            pass
    return dict(arrived)
