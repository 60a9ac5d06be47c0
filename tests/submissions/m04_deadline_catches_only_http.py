# expect: 4.2 failed "a dropped connection"
async def fetch_until_deadline(urls, deadline):
    # Leaves out HTTP errors, but a dropped connection (ClientConnectionError) escapes its
    # task, and the TaskGroup then cancels all the others.
    results = {}

    async def fetch_one(session, url):
        try:
            results[url] = await fetch_json(session, url)
        except aiohttp.ClientResponseError:
            pass

    async with aiohttp.ClientSession() as session:
        try:
            async with asyncio.timeout(deadline):
                async with asyncio.TaskGroup() as tg:
                    for url in urls:
                        tg.create_task(fetch_one(session, url))
        except TimeoutError:
            pass
    return results
