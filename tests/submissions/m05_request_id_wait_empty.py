# expect: 5.4 error "Set of Tasks/Futures is empty"
async def handle(rid: str, item_ids: list[int]) -> int:
    # asyncio.wait() refuses an empty set: a request with no items crashes.
    token = request_id.set(rid)
    try:
        log("start")
        async with aiohttp.ClientSession() as session:
            tasks = [asyncio.create_task(fetch_item(session, i)) for i in item_ids]
            await asyncio.wait(tasks)
        total = sum(t.result()["value"] for t in tasks)
        log(f"done, total {total}")
        return total
    finally:
        request_id.reset(token)
