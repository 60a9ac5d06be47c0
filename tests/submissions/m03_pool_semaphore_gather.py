# expect: 3.1 failed "a task per URL"
async def fetch_with_pool(urls, workers):
    gate = asyncio.Semaphore(workers)
    async with aiohttp.ClientSession() as session:
        async def one(url):
            async with gate:
                return await fetch_json(session, url)
        return list(await asyncio.gather(*(one(u) for u in urls)))
