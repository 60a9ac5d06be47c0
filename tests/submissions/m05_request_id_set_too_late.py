# expect: 5.4 failed "A task copies the context when it is created"
async def handle(rid: str, item_ids: list[int]) -> int:
    async with aiohttp.ClientSession() as session:
        # The child tasks are created first: they copy the context before the id is set.
        tasks = [asyncio.create_task(fetch_item(session, i)) for i in item_ids]
        token = request_id.set(rid)
        try:
            log("start")
            items = await asyncio.gather(*tasks)
            total = sum(item["value"] for item in items)
            log(f"done, total {total}")
            return total
        finally:
            request_id.reset(token)
