# expect: 3.4 failed "walked one after another"
# task: 3.4
# verdict: wrong
# clause: "walks **every listing** in `start_urls` (**all of them at the same time**, each one page after page ...)"
# defect: A single producer walks the listings one after the other, so the second listing is only started after the first one's last page.
async def crawl(start_urls: list[str], item_url, workers: int) -> dict[int, dict]:
    """Walk every listing, fetch each listed item once with `workers` fetchers; {id: details}."""
    queue: asyncio.Queue = asyncio.Queue()
    seen: set[int] = set()
    details: dict[int, dict] = {}

    async with aiohttp.ClientSession() as session:

        async def producer() -> None:
            for url in start_urls:
                while url is not None:
                    page = await fetch_json(session, url)
                    for entry in page["items"]:
                        if entry["id"] not in seen:
                            seen.add(entry["id"])
                            await queue.put(entry["id"])
                    url = urljoin(url, page["next"]) if page["next"] else None
            for _ in range(workers):
                await queue.put(None)

        async def fetcher() -> None:
            while (item_id := await queue.get()) is not None:
                details[item_id] = await fetch_json(session, item_url(item_id))

        await asyncio.gather(producer(), *(fetcher() for _ in range(workers)))
    return details
