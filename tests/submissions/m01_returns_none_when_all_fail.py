# expect: 1.2 failed "should raise an exception (any kind"
async def first_success(urls: list[str]) -> dict:
    async with aiohttp.ClientSession() as session:
        tasks = [asyncio.create_task(fetch_json(session, url)) for url in urls]
        try:
            for next_done in asyncio.as_completed(tasks):
                try:
                    return await next_done
                except aiohttp.ClientError:
                    continue
            return None  # hides the failure
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
