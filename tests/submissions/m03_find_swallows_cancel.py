# expect: 3.3 timed out "catch CancelledError and carry on"
# others: passed
async def find_first(urls: list[str], workers: int, wanted) -> dict | None:
    # The workers "never give up": they swallow CancelledError, so the TaskGroup cannot stop
    # them; they fetch everything and then wait for more URLs forever.
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
                url = await todo.get()
                try:
                    item = await fetch_json(session, url)
                except asyncio.CancelledError:
                    continue
                if wanted(item):
                    raise Found(item)

        try:
            async with asyncio.TaskGroup() as tg:
                for _ in range(workers):
                    tg.create_task(worker())
        except* Found as group:
            found = group.exceptions[0].item
    return found
