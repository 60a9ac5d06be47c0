# expect: 3.1 failed "kept from an earlier call"
async def fetch_with_pool(urls: list[str], workers: int, done=[]) -> list[dict]:
    # Collects (index, item) pairs in a mutable default argument: it keeps the earlier calls'.
    todo = asyncio.Queue()
    for index, url in enumerate(urls):
        todo.put_nowait((index, url))
    async with aiohttp.ClientSession() as session:
        async def worker():
            while not todo.empty():
                index, url = todo.get_nowait()
                done.append((index, await fetch_json(session, url)))

        async with asyncio.TaskGroup() as tg:
            for _ in range(workers):
                tg.create_task(worker())
    return [item for _, item in sorted(done, key=lambda pair: pair[0])]
