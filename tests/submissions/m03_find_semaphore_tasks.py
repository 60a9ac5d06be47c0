# expect: 3.3 failed "a task per URL"
async def find_first(urls: list[str], workers: int, wanted) -> dict | None:
    # A task per URL behind a semaphore; the rest are cancelled when one is wanted.
    gate = asyncio.Semaphore(workers)
    async with aiohttp.ClientSession() as session:
        async def one(url):
            async with gate:
                return await fetch_json(session, url)

        tasks = [asyncio.create_task(one(url)) for url in urls]
        try:
            for next_done in asyncio.as_completed(tasks):
                item = await next_done
                if wanted(item):
                    return item
            return None
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
