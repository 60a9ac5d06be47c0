# expect: 3.4 passed "9 pages and 20 items"
# task: 3.4
# verdict: right
# clause: all satisfied
# defect: -
async def crawl(start_urls: list[str], item_url, workers: int) -> dict[int, dict]:
    """Walk every listing, fetch each listed item once with `workers` fetchers; {id: details}."""
    seen: set[int] = set()
    details: dict[int, dict] = {}
    slots = asyncio.Semaphore(workers)  # bounds the item requests, not the page requests

    async with aiohttp.ClientSession() as session:

        async def fetch_item(item_id: int) -> None:
            async with slots:
                details[item_id] = await fetch_json(session, item_url(item_id))

        async with asyncio.TaskGroup() as tg:

            async def walk(url: str | None) -> None:
                while url is not None:
                    page = await fetch_json(session, url)
                    for entry in page["items"]:
                        item_id = entry["id"]
                        if item_id not in seen:  # claimed synchronously: fetched once
                            seen.add(item_id)
                            tg.create_task(fetch_item(item_id))
                    url = urljoin(url, page["next"]) if page["next"] else None

            for url in start_urls:
                tg.create_task(walk(url))
    return details
