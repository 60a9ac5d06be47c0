# expect: 3.3 failed "were still running when find_first() returned"
async def find_first(urls, workers, wanted):
    todo = asyncio.Queue()
    for url in urls:
        todo.put_nowait(url)
    found = asyncio.get_running_loop().create_future()
    async with aiohttp.ClientSession() as session:
        async def worker():
            while not todo.empty():
                item = await fetch_json(session, todo.get_nowait())
                if wanted(item) and not found.done():
                    found.set_result(item)
        tasks = [asyncio.create_task(worker()) for _ in range(workers)]
        await asyncio.wait([found, asyncio.gather(*tasks)], return_when=asyncio.FIRST_COMPLETED)
        return found.result() if found.done() else None
