# expect: 3.1 failed "did not wait for them to stop"
async def fetch_with_pool(urls: list[str], workers: int) -> list[dict]:
    # join() then cancel(), but the cancelled workers are never awaited.
    todo = asyncio.Queue()
    for index, url in enumerate(urls):
        todo.put_nowait((index, url))
    results = [None] * len(urls)
    async with aiohttp.ClientSession() as session:
        async def worker():
            while True:
                index, url = await todo.get()
                try:
                    results[index] = await fetch_json(session, url)
                finally:
                    todo.task_done()

        tasks = [asyncio.create_task(worker()) for _ in range(workers)]
        await todo.join()
    for t in tasks:
        t.cancel()
    return results
