# expect: 1.1 failed "expected the 0 item(s) []"
async def fetch_all(urls: list[str], results: list = []) -> list[dict]:  # noqa: B006 - the bug
    # A mutable default: the list survives from one call to the next.
    async with aiohttp.ClientSession() as session:
        results.extend(await asyncio.gather(*(fetch_json(session, url) for url in urls)))
    return results
