# expect: 5.1 failed "not an async generator"
async def paginate(session: aiohttp.ClientSession, url: str) -> AsyncIterator[dict]:
    # A coroutine that returns a list: the caller cannot `async for` over it.
    items = []
    next_url = url
    while next_url:
        async with session.get(next_url) as resp:
            page = await resp.json()
        items.extend(page["items"])
        next_url = urljoin(next_url, page["next"]) if page["next"] else None
    return items
