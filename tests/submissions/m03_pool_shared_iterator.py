# expect: 3.1 failed "No asyncio.Queue handed out the URLs"
async def fetch_with_pool(urls: list[str], workers: int) -> list[dict]:
    # A real pool of `workers` tasks, but they share an iterator over the list, not a queue.
    todo = iter(enumerate(urls))
    results = [None] * len(urls)
    async with aiohttp.ClientSession() as session:
        async def worker():
            for index, url in todo:
                results[index] = await fetch_json(session, url)

        async with asyncio.TaskGroup() as tg:
            for _ in range(workers):
                tg.create_task(worker())
    return results
