# expect: 5.4 failed "A task copies the context when it is created"
# Written from the task text alone: Creates the child tasks before setting request_id; each task copied the context at creation, so their log lines carry the old id.
async def handle(rid: str, item_ids: list[int]) -> int:
    """Handle one request: every log line it causes is tagged with `rid`."""
    async with aiohttp.ClientSession() as session:
        tasks = [asyncio.create_task(fetch_item(session, i)) for i in item_ids]
        token = request_id.set(rid)
        try:
            log("start")
            items = await asyncio.gather(*tasks)
            total = sum(item["value"] for item in items)
            log(f"done, total {total}")
        finally:
            request_id.reset(token)
    return total
