# expect: 3.1 timed out "workers=8)"
async def fetch_with_pool(urls: list[str], workers: int) -> list[dict]:
    # Workers wait in get() and stop when they see the queue empty after an item: with more
    # workers than URLs, the ones that got no URL wait forever.
    todo = asyncio.Queue()
    for index, url in enumerate(urls):
        todo.put_nowait((index, url))
    results = [None] * len(urls)
    async with aiohttp.ClientSession() as session:
        async def worker():
            while True:
                index, url = await todo.get()
                results[index] = await fetch_json(session, url)
                if todo.empty():
                    return

        async with asyncio.TaskGroup() as tg:
            for _ in range(workers):
                tg.create_task(worker())
    return results
