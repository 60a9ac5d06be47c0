# expect: 3.4 failed "only after every page had been read"
# task: 3.4
# verdict: wrong
# clause: "item fetching must start while the listings are still being walked (do not read every page first)"
# defect: Walks all listings to the end first, collecting the ids, and only then starts the bounded item fetching.
async def crawl(start_urls: list[str], item_url, workers: int) -> dict[int, dict]:
    """Walk every listing, fetch each listed item once with `workers` fetchers; {id: details}."""
    async with aiohttp.ClientSession() as session:

        async def walk(url: str | None) -> list[int]:
            ids = []
            while url is not None:
                page = await fetch_json(session, url)
                ids.extend(entry["id"] for entry in page["items"])
                url = urljoin(url, page["next"]) if page["next"] else None
            return ids

        listings = await asyncio.gather(*(walk(url) for url in start_urls))
        unique_ids = list(dict.fromkeys(i for ids in listings for i in ids))

        queue: asyncio.Queue[int] = asyncio.Queue()
        for item_id in unique_ids:
            queue.put_nowait(item_id)
        details: dict[int, dict] = {}

        async def fetcher() -> None:
            while not queue.empty():
                item_id = queue.get_nowait()
                details[item_id] = await fetch_json(session, item_url(item_id))

        await asyncio.gather(*(fetcher() for _ in range(workers)))
    return details
