# expect: 3.1 failed "not in the order of the URLs"
async def fetch_with_pool(urls: list[str], workers: int) -> list[dict]:
    # A correct pool, but the results are appended in the order the requests finish.
    todo = asyncio.Queue()
    for url in urls:
        todo.put_nowait(url)
    results = []
    async with aiohttp.ClientSession() as session:
        async def worker():
            while not todo.empty():
                url = todo.get_nowait()
                results.append(await fetch_json(session, url))

        async with asyncio.TaskGroup() as tg:
            for _ in range(workers):
                tg.create_task(worker())
    return results
