# expect: 1.2 failed "were still running when first_success() returned"
async def first_success(urls: list[str]) -> dict:
    # Returns the winner but never cancels the other tasks.
    session = aiohttp.ClientSession()
    tasks = [asyncio.create_task(fetch_json(session, u)) for u in urls]
    for next_done in asyncio.as_completed(tasks):
        try:
            return await next_done
        except aiohttp.ClientError:
            continue
    raise RuntimeError("all failed")
