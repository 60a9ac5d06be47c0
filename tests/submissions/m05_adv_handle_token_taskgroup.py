# expect: 5.4 passed "the caller's id was restored"
# Written from the task text alone: an unusual but valid answer.
async def handle(rid: str, item_ids: list[int]) -> int:
    """Handle one request: every log line it causes is tagged with `rid`."""
    token = request_id.set(rid)
    try:
        log("start")
        async with aiohttp.ClientSession() as session:
            async with asyncio.TaskGroup() as tg:  # the tasks copy the context: rid included
                tasks = [tg.create_task(fetch_item(session, item_id)) for item_id in item_ids]
        total = sum(task.result()["value"] for task in tasks)
        log(f"done, total {total}")
        return total
    finally:
        request_id.reset(token)
