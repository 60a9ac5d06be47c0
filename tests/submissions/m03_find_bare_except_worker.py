# expect: 3.3 failed "were cancelled but did not stop"
# A worker whose bare `except:` (meant to skip URLs that fail) also swallows CancelledError.
async def find_first(urls: list[str], workers: int, wanted) -> dict | None:
    queue = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    result = asyncio.get_running_loop().create_future()

    async def worker(session):
        while True:
            try: url = queue.get_nowait()
            except asyncio.QueueEmpty: return
            try: item = await fetch_json(session, url)
            except:  # skip URLs that fail   <- also swallows CancelledError
                continue
            if wanted(item) and not result.done(): result.set_result(item)

    async with aiohttp.ClientSession() as session:
        tasks = [asyncio.create_task(worker(session)) for _ in range(workers)]
        await asyncio.wait([result, asyncio.gather(*tasks)], return_when=asyncio.FIRST_COMPLETED)
        for t in tasks: t.cancel()
    return result.result() if result.done() else None
