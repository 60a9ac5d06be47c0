# expect: 1.2 failed "were still running when first_success returned: they stopped only afterwards"
session: aiohttp.ClientSession | None = None  # one session for the whole notebook


async def first_success(urls: list[str]) -> dict:
    global session
    if session is None or session.closed:
        session = aiohttp.ClientSession()
    tasks = [asyncio.create_task(fetch_json(session, url)) for url in urls]
    try:
        for next_done in asyncio.as_completed(tasks):
            try:
                return await next_done
            except aiohttp.ClientError:
                continue
        raise RuntimeError("all requests failed")
    finally:
        for t in tasks:
            t.cancel()  # cancelled, but never awaited: they are still stopping when we return
