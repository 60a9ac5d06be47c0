# expect: 1.2 failed "not an item"
async def first_success(urls: list[str]) -> dict:
    # Takes the first answer of any kind, without checking the status.
    async with aiohttp.ClientSession() as session:
        async def get(url):
            async with session.get(url) as resp:
                return await resp.json()
        tasks = [asyncio.create_task(get(u)) for u in urls]
        try:
            for next_done in asyncio.as_completed(tasks):
                return await next_done
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
