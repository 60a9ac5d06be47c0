# expect: 5.1 failed "after the last page"
async def paginate(session: aiohttp.ClientSession, url: str) -> AsyncIterator[dict]:
    # Counts page numbers up until a page comes back empty, ignoring `next`.
    page_no = 1
    while True:
        async with session.get(url.replace("?page=1&", f"?page={page_no}&")) as resp:
            page = await resp.json()
        if not page["items"]:
            return
        for item in page["items"]:
            yield item
        page_no += 1
