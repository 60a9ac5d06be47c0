# expect: 5.1 failed "fetched ahead"
# Written from the task text alone: Prefetches the next page in a background task while the current page is being consumed (and leaves that task behind when the consumer stops early).
async def paginate(session: aiohttp.ClientSession, url: str) -> AsyncIterator[dict]:
    """Yield the items of a paginated listing one by one, fetching each page only when needed."""

    async def get_page(page_url: str) -> dict:
        async with session.get(page_url) as resp:
            resp.raise_for_status()
            return await resp.json()

    page_url = url
    current = asyncio.create_task(get_page(page_url))
    while True:
        page = await current
        if page["next"]:
            page_url = urljoin(page_url, page["next"])
            current = asyncio.create_task(get_page(page_url))  # overlap with the consumer
        for item in page["items"]:
            yield item
        if not page["next"]:
            return
