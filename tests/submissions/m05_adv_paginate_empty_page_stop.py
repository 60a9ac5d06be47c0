# expect: 5.1 failed "after the last page"
# Written from the task text alone: Counts pages itself and stops at the first page with no items instead of following `next`, so it always requests one page past the last one.
from yarl import URL


async def paginate(session: aiohttp.ClientSession, url: str) -> AsyncIterator[dict]:
    """Yield the items of a paginated listing one by one, fetching each page only when needed."""
    start = URL(url)
    page_no = int(start.query.get("page", 1))
    while True:
        async with session.get(start.update_query(page=page_no)) as resp:
            resp.raise_for_status()
            page = await resp.json()
        if not page["items"]:
            return
        for item in page["items"]:
            yield item
        page_no += 1
