# expect: 4.2 failed "should simply be left out of the results"
# verdict: wrong
# clause: "a URL that fails (a 4xx/5xx answer, `aiohttp.ClientError`) is simply left out, and **does not disturb the others**"
# defect: Runs the requests in a TaskGroup under asyncio.timeout; the 500 makes the TaskGroup cancel every other request, and the function then raises instead of returning the answers.
async def fetch_until_deadline(urls: list[str], deadline: float) -> dict[str, dict]:
    """The JSON of every URL that answered successfully within `deadline` seconds."""
    results: dict[str, dict] = {}

    async def one(session: aiohttp.ClientSession, url: str) -> None:
        results[url] = await fetch_json(session, url)

    async with aiohttp.ClientSession() as session:
        try:
            async with asyncio.timeout(deadline):
                async with asyncio.TaskGroup() as tg:
                    for url in urls:
                        tg.create_task(one(session, url))
        except TimeoutError:
            pass  # the slow ones were cancelled; keep what arrived
    return results
