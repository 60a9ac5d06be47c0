# expect: 3.3 passed "item 107 found"
async def find_first(urls: list[str], workers: int, wanted) -> dict | None:
    # Right: the TaskGroup recipe, run inside a task of its own that the function awaits.
    todo = asyncio.Queue()
    for url in urls:
        todo.put_nowait(url)

    class Found(Exception):
        def __init__(self, item):
            super().__init__()
            self.item = item

    async with aiohttp.ClientSession() as session:
        async def worker():
            while True:
                try:
                    url = todo.get_nowait()
                except asyncio.QueueEmpty:
                    return
                item = await fetch_json(session, url)
                if wanted(item):
                    raise Found(item)

        async def search():
            found = None
            try:
                async with asyncio.TaskGroup() as tg:
                    for _ in range(workers):
                        tg.create_task(worker())
            except* Found as group:
                found = group.exceptions[0].item
            return found

        return await asyncio.create_task(search())
