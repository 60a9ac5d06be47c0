# expect: 3.1 failed "spread over 4 queues"
async def fetch_with_pool(urls: list[str], workers: int) -> list[dict]:
    # Deals the URLs out in advance: one queue per worker, round robin.
    queues = [asyncio.Queue() for _ in range(workers)]
    for index, url in enumerate(urls):
        queues[index % workers].put_nowait((index, url))
    results = [None] * len(urls)
    async with aiohttp.ClientSession() as session:
        async def worker(todo):
            while not todo.empty():
                index, url = todo.get_nowait()
                results[index] = await fetch_json(session, url)

        async with asyncio.TaskGroup() as tg:
            for todo in queues:
                tg.create_task(worker(todo))
    return results
