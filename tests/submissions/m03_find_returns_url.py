# expect: 3.3 failed "the wanted item is the one with id 107"
async def find_first(urls: list[str], workers: int, wanted) -> dict | None:
    # Returns the URL of the wanted item instead of the item.
    todo = asyncio.Queue()
    for url in urls:
        todo.put_nowait(url)

    class Found(Exception):
        pass

    found = None
    async with aiohttp.ClientSession() as session:
        async def worker():
            while True:
                try:
                    url = todo.get_nowait()
                except asyncio.QueueEmpty:
                    return
                if wanted(await fetch_json(session, url)):
                    raise Found(url)

        try:
            async with asyncio.TaskGroup() as tg:
                for _ in range(workers):
                    tg.create_task(worker())
        except* Found as group:
            found = group.exceptions[0].args[0]
    return found
