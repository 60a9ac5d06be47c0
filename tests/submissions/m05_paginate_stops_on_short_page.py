# expect: 5.1 failed "not when a page is short or empty"
from yarl import URL


async def paginate(session: aiohttp.ClientSession, url: str) -> AsyncIterator[dict]:
    # Stops at the first page with fewer items than per_page, instead of following `next`:
    # when the last page is full, it asks for one more page.
    start = URL(url)
    page_no, per_page = int(start.query.get("page", 1)), int(start.query.get("per_page", 10))
    while True:
        async with session.get(start.update_query(page=page_no)) as resp:
            page = await resp.json()
        for item in page["items"]:
            yield item
        if len(page["items"]) < per_page:
            return
        page_no += 1
