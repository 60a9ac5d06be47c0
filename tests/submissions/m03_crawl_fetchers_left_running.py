# expect: 3.4 failed "were still running when crawl() returned"
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
            while True:
                item_id = await ids.get()
                try:
                    if item_id is not DONE:
                        details[item_id] = await fetch_json(session, item_url(item_id))
                finally:
                    ids.task_done()

        fetchers = [asyncio.create_task(fetch()) for _ in range(workers)]
        await walk_all()
        await ids.join()  # every id fetched: done (the fetchers are left waiting)
    return details
