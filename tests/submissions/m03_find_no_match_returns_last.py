# expect: 3.3 failed "should return None"
async def find_first(urls: list[str], workers: int, wanted) -> dict | None:
    # When nothing is wanted, returns the last item fetched instead of None.
    todo = asyncio.Queue()
    for url in urls:
        todo.put_nowait(url)

    class Found(Exception):
        def __init__(self, item):
            super().__init__()
            self.item = item

    found = None
    async with aiohttp.ClientSession() as session:
        async def worker():
            nonlocal found
            while True:
                try:
                    url = todo.get_nowait()
                except asyncio.QueueEmpty:
                    return
                found = await fetch_json(session, url)
                if wanted(found):
                    raise Found(found)

        try:
            async with asyncio.TaskGroup() as tg:
                for _ in range(workers):
                    tg.create_task(worker())
        except* Found as group:
            found = group.exceptions[0].item
    return found
