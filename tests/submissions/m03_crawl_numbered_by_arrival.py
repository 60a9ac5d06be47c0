# expect: 3.4 failed "maps some ids to the wrong details"
async def crawl(start_urls: list[str], item_url, workers: int) -> dict[int, dict]:
    DONE = object()
    ids = asyncio.Queue(maxsize=20)
    seen = set()
    details = {}
    async with aiohttp.ClientSession() as session:
        async def walk(url):
            while url:
                page = await fetch_json(session, url)
                for entry in page["items"]:
                    if entry["id"] not in seen:
                        seen.add(entry["id"])
                        await ids.put(entry["id"])
                url = urljoin(url, page["next"]) if page["next"] else None

        async def walk_all():
            async with asyncio.TaskGroup() as pagers:
                for start in start_urls:
                    pagers.create_task(walk(start))
            for _ in range(workers):
                await ids.put(DONE)

        async def fetch():
            while (item_id := await ids.get()) is not DONE:
                item = await fetch_json(session, item_url(item_id))
                details[len(details) + 1] = item  # numbered in the order they arrive

        async with asyncio.TaskGroup() as tg:
            tg.create_task(walk_all())
            for _ in range(workers):
                tg.create_task(fetch())
    return details
