# expect: 4.2 failed "waited out the whole deadline"
async def fetch_until_deadline(urls, deadline):
    # Always sleeps the whole deadline, even when every answer is already in.
    results = {}

    async def fetch_one(session, url):
        try:
            results[url] = await fetch_json(session, url)
        except aiohttp.ClientError:
            pass

    async with aiohttp.ClientSession() as session:
        tasks = [asyncio.create_task(fetch_one(session, url)) for url in urls]
        await asyncio.sleep(deadline)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return results
