# expect: 1.3 failed "a URL given twice is reported twice"
reported_ids: set = set()  # kept between calls, and drops repeated items


async def fetch_with_progress(urls: list[str], on_result) -> list[dict]:
    async with aiohttp.ClientSession() as session:
        arrived = []
        for next_done in asyncio.as_completed([fetch_json(session, u) for u in urls]):
            item = await next_done
            if item["id"] in reported_ids:
                continue
            reported_ids.add(item["id"])
            on_result(item)
            arrived.append(item)
        return arrived
