# expect: 5.1 passed "each page fetched only when needed"
# Written from the task text alone: an unusual but valid answer.
async def paginate(session: aiohttp.ClientSession, url: str) -> AsyncIterator[dict]:
    """Yield the items of a paginated listing one by one, fetching each page only when needed."""
    async with session.get(url) as resp:
        resp.raise_for_status()
        page = await resp.json()
    for item in page["items"]:
        yield item
    if page["next"]:
        # there is no `yield from` for async generators: delegate by hand; the nested
        # generator requests its page only when the consumer gets this far
        rest = paginate(session, urljoin(url, page["next"]))
        try:
            async for item in rest:
                yield item
        finally:
            await rest.aclose()
