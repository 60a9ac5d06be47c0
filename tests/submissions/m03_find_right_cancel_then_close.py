# expect: 3.3 passed "item 107 found"
async def find_first(urls: list[str], workers: int, wanted) -> dict | None:
    # Right: cancels the other workers without awaiting them, but closing the session (an
    # await) lets them end cancelled before the function returns: nothing is left running.
    todo = asyncio.Queue()
    for url in urls:
        todo.put_nowait(url)
    found = []
    session = aiohttp.ClientSession()

    async def worker():
        while not todo.empty():
            item = await fetch_json(session, todo.get_nowait())
            if wanted(item):
                found.append(item)
                return

    tasks = [asyncio.create_task(worker()) for _ in range(workers)]
    try:
        for next_done in asyncio.as_completed(tasks):
            await next_done
            if found:
                break
    finally:
        for t in tasks:
            t.cancel()
    await session.close()
    return found[0] if found else None
