# expect: 5.4 failed "[caller] done, total"
async def handle(rid: str, item_ids: list[int]) -> int:
    # Puts the caller's id back right after creating the child tasks: 'done' is mis-tagged.
    token = request_id.set(rid)
    log("start")
    async with aiohttp.ClientSession() as session:
        tasks = [asyncio.create_task(fetch_item(session, i)) for i in item_ids]
        request_id.reset(token)
        items = await asyncio.gather(*tasks)
    total = sum(item["value"] for item in items)
    log(f"done, total {total}")
    return total
