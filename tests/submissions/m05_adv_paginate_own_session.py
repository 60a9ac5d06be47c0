# expect: 5.1 failed "of its own"
# Written from the task text alone: Ignores the `session` argument and opens its own ClientSession inside the generator.
async def paginate(session: aiohttp.ClientSession, url: str) -> AsyncIterator[dict]:
    """Yield the items of a paginated listing one by one, fetching each page only when needed."""
    async with aiohttp.ClientSession() as own_session:
        next_url: str | None = url
        while next_url is not None:
            async with own_session.get(next_url) as resp:
                resp.raise_for_status()
                page = await resp.json()
            for item in page["items"]:
                yield item
            next_url = urljoin(next_url, page["next"]) if page["next"] else None
