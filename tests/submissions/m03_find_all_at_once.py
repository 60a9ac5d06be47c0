# expect: 3.3 failed "requests in flight at once with workers=4"
async def find_first(urls: list[str], workers: int, wanted) -> dict | None:
    # Every URL at once, the first wanted one wins, the rest are cancelled: no pool.
    async with aiohttp.ClientSession() as session:
        tasks = [asyncio.create_task(fetch_json(session, url)) for url in urls]
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
