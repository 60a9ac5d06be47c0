# expect: 3.1 timed out "task_done()"
async def fetch_with_pool(urls: list[str], workers: int) -> list[dict]:
    # The lesson's join() + cancel() pool, but the workers never call task_done().
    todo = asyncio.Queue()
    for index, url in enumerate(urls):
        todo.put_nowait((index, url))
    results = [None] * len(urls)
    async with aiohttp.ClientSession() as session:
        async def worker():
            while True:
                index, url = await todo.get()
                results[index] = await fetch_json(session, url)

        tasks = [asyncio.create_task(worker()) for _ in range(workers)]
        await todo.join()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return results
