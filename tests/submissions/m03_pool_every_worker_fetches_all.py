# expect: 3.1 failed "fetched more than once"
async def fetch_with_pool(urls: list[str], workers: int) -> list[dict]:
    # Every worker loops over the whole list instead of taking its next URL from a queue.
    results = [None] * len(urls)
    async with aiohttp.ClientSession() as session:
        async def worker():
            for index, url in enumerate(urls):
                results[index] = await fetch_json(session, url)

        async with asyncio.TaskGroup() as tg:
            for _ in range(workers):
                tg.create_task(worker())
    return results
