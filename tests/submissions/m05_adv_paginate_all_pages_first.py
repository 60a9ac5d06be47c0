# expect: 5.1 failed "fetched ahead"
# Written from the task text alone: Reads every page into a list first and then yields from it, so all ten pages are requested before the consumer gets the first item.
async def paginate(session: aiohttp.ClientSession, url: str) -> AsyncIterator[dict]:
    """Yield the items of a paginated listing one by one, fetching each page only when needed."""
    items: list[dict] = []
    next_url: str | None = url
    while next_url:
        async with session.get(next_url) as resp:
            resp.raise_for_status()
            page = await resp.json()
        items.extend(page["items"])
        next_url = urljoin(next_url, page["next"]) if page["next"] else None
    for item in items:
        yield item
