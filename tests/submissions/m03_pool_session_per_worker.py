# expect: 3.1 failed "opened 4 aiohttp.ClientSession objects"
async def fetch_with_pool(urls: list[str], workers: int) -> list[dict]:
    # A right pool, except that every worker opens a session of its own.
    todo = asyncio.Queue()
    for index, url in enumerate(urls):
        todo.put_nowait((index, url))
    results = [None] * len(urls)

    async def worker():
        async with aiohttp.ClientSession() as session:
            while not todo.empty():
                index, url = todo.get_nowait()
                results[index] = await fetch_json(session, url)

    async with asyncio.TaskGroup() as tg:
        for _ in range(workers):
            tg.create_task(worker())
    return results
