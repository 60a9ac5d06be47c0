# expect: 5.4 failed "instead of 'caller'"
# Written from the task text alone: Sets request_id but never resets it, so a caller that awaits handle() directly keeps the request's id afterwards.
async def handle(rid: str, item_ids: list[int]) -> int:
    """Handle one request: every log line it causes is tagged with `rid`."""
    request_id.set(rid)
    log("start")
    async with aiohttp.ClientSession() as session:
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(fetch_item(session, i)) for i in item_ids]
    total = sum(task.result()["value"] for task in tasks)
    log(f"done, total {total}")
    return total
