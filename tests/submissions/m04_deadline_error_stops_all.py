# expect: 4.2 failed "left out of the results"
async def fetch_until_deadline(urls, deadline):
    # A failed request escapes its task, and the TaskGroup then cancels all the others.
    results = {}

    async def fetch_one(session, url):
        results[url] = await fetch_json(session, url)

    async with aiohttp.ClientSession() as session:
        try:
            async with asyncio.timeout(deadline):
                async with asyncio.TaskGroup() as tg:
                    for url in urls:
                        tg.create_task(fetch_one(session, url))
        except TimeoutError:
            pass
    return results
