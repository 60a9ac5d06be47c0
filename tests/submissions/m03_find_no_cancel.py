# expect: 3.3 failed "ran to the end"
async def find_first(urls: list[str], workers: int, wanted) -> dict | None:
    # The workers stop taking new URLs once the item is found, but the requests already in
    # flight run to the end: nothing is cancelled.
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

        async with asyncio.TaskGroup() as tg:
            for _ in range(workers):
                tg.create_task(worker())
    return found[0] if found else None
