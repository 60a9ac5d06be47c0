# expect: 3.4 failed "item requests in flight at once with workers=3"
async def crawl(start_urls: list[str], item_url, workers: int) -> dict[int, dict]:
    # No pool: each pager fetches the new items of a page all at once with gather.
    seen = set()
    details = {}
    async with aiohttp.ClientSession() as session:
        async def get(item_id):
            details[item_id] = await fetch_json(session, item_url(item_id))

        async def walk(url):
            while url:
                page = await fetch_json(session, url)
                new = [entry["id"] for entry in page["items"] if entry["id"] not in seen]
                seen.update(new)
                await asyncio.gather(*(get(i) for i in new))
                url = urljoin(url, page["next"]) if page["next"] else None

        await asyncio.gather(*(walk(url) for url in start_urls))
    return details
