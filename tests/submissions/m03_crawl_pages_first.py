# expect: 3.4 failed "only after every page had been read"
async def crawl(start_urls: list[str], item_url, workers: int) -> dict[int, dict]:
    # Reads every page of every listing first, and only then starts the pool.
    details = {}
    async with aiohttp.ClientSession() as session:
        async def walk(url):
            found = []
            while url:
                page = await fetch_json(session, url)
                found += [entry["id"] for entry in page["items"]]
                url = urljoin(url, page["next"]) if page["next"] else None
            return found

        listed = await asyncio.gather(*(walk(url) for url in start_urls))
        todo = asyncio.Queue()
        for item_id in sorted({i for ids in listed for i in ids}):
            todo.put_nowait(item_id)

        async def fetch():
            while not todo.empty():
                item_id = todo.get_nowait()
                details[item_id] = await fetch_json(session, item_url(item_id))

        async with asyncio.TaskGroup() as tg:
            for _ in range(workers):
                tg.create_task(fetch())
    return details
