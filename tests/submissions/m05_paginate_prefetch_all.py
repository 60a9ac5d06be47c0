# expect: 5.1 failed "fetched ahead"
async def paginate(session: aiohttp.ClientSession, url: str) -> AsyncIterator[dict]:
    # Fetches every page first, then yields: correct items, but nothing is lazy.
    pages = []
    next_url = url
    while next_url:
        async with session.get(next_url) as resp:
            page = await resp.json()
        pages.append(page)
        next_url = urljoin(next_url, page["next"]) if page["next"] else None
    for page in pages:
        for item in page["items"]:
            yield item
