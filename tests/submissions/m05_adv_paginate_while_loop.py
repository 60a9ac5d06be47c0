# expect: 5.1 passed "each page fetched only when needed"
# Written from the task text alone: an unusual but valid answer.
async def paginate(session: aiohttp.ClientSession, url: str) -> AsyncIterator[dict]:
    """Yield the items of a paginated listing one by one, fetching each page only when needed."""
    next_url: str | None = url
    while next_url is not None:
        async with session.get(next_url) as resp:
            resp.raise_for_status()
            page = await resp.json()
        for item in page["items"]:
            yield item
        next_url = urljoin(next_url, page["next"]) if page.get("next") else None
