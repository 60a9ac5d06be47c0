# expect: 3.1 failed "were still running when"
# others: passed
async def fetch_with_pool(urls: list[str], workers: int) -> list[dict]:
    # Waits for the work with join(), but never stops the workers, which wait for more forever.
    todo = asyncio.Queue()
    for index, url in enumerate(urls):
        todo.put_nowait((index, url))
    results = [None] * len(urls)
    async with aiohttp.ClientSession() as session:
        async def worker():
            while True:
                index, url = await todo.get()
                results[index] = await fetch_json(session, url)
                todo.task_done()

        tasks = [asyncio.create_task(worker()) for _ in range(workers)]
        await todo.join()
    return results
