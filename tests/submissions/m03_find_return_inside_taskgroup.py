# expect: 3.3 failed "does not cancel its tasks: it waits for them"
async def find_first(urls: list[str], workers: int, wanted) -> dict | None:
    # Returns from inside the TaskGroup block as soon as the answer is there, expecting that
    # leaving the block stops the workers.
    todo = asyncio.Queue()
    for url in urls:
        todo.put_nowait(url)
    found = asyncio.get_running_loop().create_future()
    async with aiohttp.ClientSession() as session:
        async def worker():
            while not found.done():
                try:
                    url = todo.get_nowait()
                except asyncio.QueueEmpty:
                    return
                item = await fetch_json(session, url)
                if wanted(item) and not found.done():
                    found.set_result(item)

        async def all_workers():
            async with asyncio.TaskGroup() as inner:
                for _ in range(workers):
                    inner.create_task(worker())
            if not found.done():
                found.set_result(None)

        async with asyncio.TaskGroup() as tg:
            tg.create_task(all_workers())
            return await found
