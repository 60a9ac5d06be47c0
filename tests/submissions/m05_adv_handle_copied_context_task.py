# expect: 5.4 passed "the caller's id was restored"
# Written from the task text alone: an unusual but valid answer.
async def handle(rid: str, item_ids: list[int]) -> int:
    """Handle one request: every log line it causes is tagged with `rid`."""
    # Run the whole request in a task with its own copy of the context: request_id is set
    # in that copy only, so the caller's value is never touched (nothing to put back), and
    # every child task started inside inherits the copy.
    context = contextvars.copy_context()
    context.run(request_id.set, rid)

    async def body() -> int:
        log("start")
        async with aiohttp.ClientSession() as session:
            items = await asyncio.gather(*(fetch_item(session, i) for i in item_ids))
        total = sum(item["value"] for item in items)
        log(f"done, total {total}")
        return total

    return await asyncio.create_task(body(), context=context)
