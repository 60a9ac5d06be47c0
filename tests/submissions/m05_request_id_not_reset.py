# expect: 5.4 failed "instead of 'caller'"
async def handle(rid: str, item_ids: list[int]) -> int:
    request_id.set(rid)  # never put back: the caller's task keeps this id afterwards
    log("start")
    async with aiohttp.ClientSession() as session:
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(fetch_item(session, i)) for i in item_ids]
    total = sum(task.result()["value"] for task in tasks)
    log(f"done, total {total}")
    return total
