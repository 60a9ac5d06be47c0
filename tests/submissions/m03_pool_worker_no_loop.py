# expect: 3.1 failed "were never fetched"
async def fetch_with_pool(urls: list[str], workers: int) -> list[dict]:
    # Each worker takes one URL and stops: only the first `workers` URLs are fetched.
    todo = asyncio.Queue()
    for index, url in enumerate(urls):
        todo.put_nowait((index, url))
    results = [None] * len(urls)
    async with aiohttp.ClientSession() as session:
        async def worker():
            if not todo.empty():
                index, url = todo.get_nowait()
                results[index] = await fetch_json(session, url)

        async with asyncio.TaskGroup() as tg:
            for _ in range(workers):
                tg.create_task(worker())
    return results
