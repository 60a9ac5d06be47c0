# expect: 3.3 failed "opened 4 aiohttp.ClientSession objects"
async def find_first(urls: list[str], workers: int, wanted) -> dict | None:
    # The TaskGroup recipe, but each worker opens a session of its own.
    todo = asyncio.Queue()
    for url in urls:
        todo.put_nowait(url)

    class Found(Exception):
        def __init__(self, item):
            super().__init__()
            self.item = item

    async def worker():
        async with aiohttp.ClientSession() as session:
            while True:
                try:
                    url = todo.get_nowait()
                except asyncio.QueueEmpty:
                    return
                item = await fetch_json(session, url)
                if wanted(item):
                    raise Found(item)

    found = None
    try:
        async with asyncio.TaskGroup() as tg:
            for _ in range(workers):
                tg.create_task(worker())
    except* Found as group:
        found = group.exceptions[0].item
    return found
