# expect: 3.4 passed "9 pages and 20 items"
# task: 3.4
# verdict: right
# clause: all satisfied
# defect: -
async def crawl(start_urls: list[str], item_url, workers: int) -> dict[int, dict]:
    """Walk every listing, fetch each listed item once with `workers` fetchers; {id: details}."""
    todo: asyncio.Queue[int] = asyncio.Queue()
    seen: set[int] = set()
    details: dict[int, dict] = {}

    async with aiohttp.ClientSession() as session:

        async def walk(url: str) -> None:
            next_url: str | None = url
            while next_url is not None:
                page = await fetch_json(session, next_url)
                for entry in page["items"]:
                    if entry["id"] not in seen:
                        seen.add(entry["id"])
                        todo.put_nowait(entry["id"])
                next_url = urljoin(next_url, page["next"]) if page["next"] else None

        async def fetcher() -> None:
            while True:
                item_id = await todo.get()
                try:
                    details[item_id] = await fetch_json(session, item_url(item_id))
                finally:
                    todo.task_done()

        pool = [asyncio.create_task(fetcher()) for _ in range(workers)]
        try:
            async with asyncio.TaskGroup() as tg:
                for url in start_urls:
                    tg.create_task(walk(url))
            await todo.join()  # walkers are done, so nothing new can be queued
        finally:
            for task in pool:
                task.cancel()
            await asyncio.gather(*pool, return_exceptions=True)
    return details
