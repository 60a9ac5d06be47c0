# expect: 1.2 failed "sent its requests one at a time"
async def first_success(urls: list[str]) -> dict:
    # Tries the URLs in order, one after another.
    async with aiohttp.ClientSession() as session:
        for url in urls:
            try:
                return await fetch_json(session, url)
            except aiohttp.ClientError:
                continue
    raise RuntimeError("all requests failed")
