# expect: 5.4 failed "overwrote each other's id"
current_request = "-"  # one value shared by every task


def log(message: str) -> None:
    LOG.append(f"[{current_request}] {message}")


async def handle(rid: str, item_ids: list[int]) -> int:
    global current_request
    current_request = rid
    log("start")
    async with aiohttp.ClientSession() as session:
        items = await asyncio.gather(*(fetch_item(session, i) for i in item_ids))
    total = sum(item["value"] for item in items)
    log(f"done, total {total}")
    return total
