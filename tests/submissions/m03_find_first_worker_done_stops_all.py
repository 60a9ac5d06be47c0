# expect: 3.3 failed "which is the last URL"
async def find_first(urls: list[str], workers: int, wanted) -> dict | None:
    # Stops the pool when the first worker ends, found or not: when the queue runs dry, the
    # other workers' last requests are cancelled, and an answer among them is lost.
    todo = asyncio.Queue()
    for url in urls:
        todo.put_nowait(url)
    found = []
    async with aiohttp.ClientSession() as session:
        async def worker():
            while not found and not todo.empty():
                item = await fetch_json(session, todo.get_nowait())
                if wanted(item):
                    found.append(item)

        tasks = [asyncio.create_task(worker()) for _ in range(workers)]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    return found[0] if found else None
