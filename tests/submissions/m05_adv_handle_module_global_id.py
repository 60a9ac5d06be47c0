# expect: 5.4 failed "overwrote each other's id"
# Written from the task text alone: Keeps the current id in a module global and copies it into request_id inside each child, so concurrent requests overwrite each other and lines get another request's id.
_current_rid = "-"


async def handle(rid: str, item_ids: list[int]) -> int:
    """Handle one request: every log line it causes is tagged with `rid`."""
    global _current_rid
    previous, _current_rid = _current_rid, rid

    async def child(session: aiohttp.ClientSession, item_id: int) -> dict:
        request_id.set(_current_rid)  # a task's context is its own: set it inside the task
        return await fetch_item(session, item_id)

    token = request_id.set(rid)
    try:
        log("start")
        async with aiohttp.ClientSession() as session:
            items = await asyncio.gather(*(child(session, i) for i in item_ids))
        total = sum(item["value"] for item in items)
        log(f"done, total {total}")
        return total
    finally:
        request_id.reset(token)
        _current_rid = previous
