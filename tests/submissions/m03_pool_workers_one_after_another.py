# expect: 3.1 failed "did not work side by side"
async def fetch_with_pool(urls: list[str], workers: int) -> list[dict]:
    # `workers` workers, but each one is awaited before the next starts.
    todo = asyncio.Queue()
    for index, url in enumerate(urls):
        todo.put_nowait((index, url))
    results = [None] * len(urls)
    async with aiohttp.ClientSession() as session:
        async def worker():
            while not todo.empty():
                index, url = todo.get_nowait()
                results[index] = await fetch_json(session, url)

        for _ in range(workers):
            await worker()
    return results
