# expect: 3.4 failed "were fetched more than once"
# task: 3.4
# verdict: wrong
# clause: "an item may appear in more than one listing, and must be fetched **once**"
# defect: Skips an id only when its details are already in the result dict, so an item listed again while its first fetch is still queued or in flight is fetched a second time.
async def crawl(start_urls: list[str], item_url, workers: int) -> dict[int, dict]:
    """Walk every listing, fetch each listed item once with `workers` fetchers; {id: details}."""
    queue: asyncio.Queue = asyncio.Queue()
    details: dict[int, dict] = {}

    async with aiohttp.ClientSession() as session:

        async def walk(url: str | None) -> None:
            while url is not None:
                page = await fetch_json(session, url)
                for entry in page["items"]:
                    if entry["id"] not in details:
                        await queue.put(entry["id"])
                url = urljoin(url, page["next"]) if page["next"] else None

        async def fetcher() -> None:
            while (item_id := await queue.get()) is not None:
                if item_id in details:
                    continue
                details[item_id] = await fetch_json(session, item_url(item_id))

        fetchers = [asyncio.create_task(fetcher()) for _ in range(workers)]
        await asyncio.gather(*(walk(url) for url in start_urls))
        for _ in range(workers):
            await queue.put(None)
        await asyncio.gather(*fetchers)
    return details
