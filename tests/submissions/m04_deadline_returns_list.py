# expect: 4.2 failed "expected a dict"
async def fetch_until_deadline(urls, deadline):
    # Returns the bodies as a list: the caller cannot tell which URL each came from.
    results = {}

    async def fetch_one(session, url):
        try:
            results[url] = await fetch_json(session, url)
        except aiohttp.ClientError:
            pass

    async with aiohttp.ClientSession() as session:
        try:
            async with asyncio.timeout(deadline):
                async with asyncio.TaskGroup() as tg:
                    for url in urls:
                        tg.create_task(fetch_one(session, url))
        except TimeoutError:
            pass
    return list(results.values())
