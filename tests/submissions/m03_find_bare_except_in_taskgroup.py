# expect: 3.3 failed "catches CancelledError"
async def find_first(urls: list[str], workers: int, wanted) -> dict | None:
    # The TaskGroup recipe, but the workers skip failed URLs with a bare except, which also
    # catches the group's CancelledError: the cancelled workers carry on with the next URL.
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
            while True:
                try:
                    url = todo.get_nowait()
                except asyncio.QueueEmpty:
                    return
                try:
                    item = await fetch_json(session, url)
                except:
                    continue  # a failed URL: try the next one
                if wanted(item):
                    raise Found(item)

        try:
            async with asyncio.TaskGroup() as tg:
                for _ in range(workers):
                    tg.create_task(worker())
        except* Found as group:
            found = group.exceptions[0].item
    return found
