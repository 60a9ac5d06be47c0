# expect: 5.4 failed "one at a time"
async def handle(rid: str, item_ids: list[int]) -> int:
    token = request_id.set(rid)
    try:
        log("start")
        async with aiohttp.ClientSession() as session:
            total = 0
            for i in item_ids:  # no child tasks: the items are fetched one after another
                total += (await fetch_item(session, i))["value"]
        log(f"done, total {total}")
        return total
    finally:
        request_id.reset(token)
