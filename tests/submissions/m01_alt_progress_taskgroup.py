# expect: 1.3 passed "in completion order"
async def fetch_with_progress(urls: list[str], on_result) -> list[dict]:
    # Each task reports its own item the moment it has it.
    arrived = []
    async with aiohttp.ClientSession() as session:

        async def one(url: str) -> None:
            item = await fetch_json(session, url)
            on_result(item)
            arrived.append(item)

        async with asyncio.TaskGroup() as tg:
            for url in urls:
                tg.create_task(one(url))
    return arrived
