# expect: 3.4 failed "item requests in flight at once with workers=3"
# task: 3.4
# verdict: wrong
# clause: "**At most `workers` item requests** may be in flight at once"
# defect: Starts a task per newly seen item straight from the walkers; `workers` is never used, so every listed item is requested at once.
async def crawl(start_urls: list[str], item_url, workers: int) -> dict[int, dict]:
    """Walk every listing, fetch each listed item once with `workers` fetchers; {id: details}."""
    seen: set[int] = set()
    details: dict[int, dict] = {}

    async with aiohttp.ClientSession() as session:

        async def fetch_item(item_id: int) -> None:
            details[item_id] = await fetch_json(session, item_url(item_id))

        async with asyncio.TaskGroup() as tg:

            async def walk(url: str | None) -> None:
                while url is not None:
                    page = await fetch_json(session, url)
                    for entry in page["items"]:
                        if entry["id"] not in seen:
                            seen.add(entry["id"])
                            tg.create_task(fetch_item(entry["id"]))
                    url = urljoin(url, page["next"]) if page["next"] else None

            for url in start_urls:
                tg.create_task(walk(url))
    return details
