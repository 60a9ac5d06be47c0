# expect: 5.4 failed "one at a time"
# Written from the task text alone: Awaits fetch_item for one id after the other in the handler's own task, so the items of a request are never in flight together.
async def handle(rid: str, item_ids: list[int]) -> int:
    """Handle one request: every log line it causes is tagged with `rid`."""
    token = request_id.set(rid)
    try:
        log("start")
        total = 0
        async with aiohttp.ClientSession() as session:
            for item_id in item_ids:
                total += (await fetch_item(session, item_id))["value"]
        log(f"done, total {total}")
        return total
    finally:
        request_id.reset(token)
