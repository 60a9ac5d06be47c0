# expect: 4.2 failed "Open one session for the whole call"
async def fetch_until_deadline(urls, deadline):
    # Right in every way, except that each request opens a ClientSession of its own.
    results = {}

    async def fetch_one(url):
        try:
            async with aiohttp.ClientSession() as session:
                results[url] = await fetch_json(session, url)
        except aiohttp.ClientError:
            pass

    try:
        async with asyncio.timeout(deadline):
            async with asyncio.TaskGroup() as tg:
                for url in urls:
                    tg.create_task(fetch_one(url))
    except TimeoutError:
        pass
    return results
