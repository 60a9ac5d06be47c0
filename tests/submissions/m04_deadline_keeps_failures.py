# expect: 4.2 failed "Leave failed requests out of the dict"
async def fetch_until_deadline(urls, deadline):
    # Stores the error in place of the answer instead of leaving the URL out.
    results = {}

    async def fetch_one(session, url):
        try:
            results[url] = await fetch_json(session, url)
        except aiohttp.ClientError as exc:
            results[url] = {"error": str(exc)}

    async with aiohttp.ClientSession() as session:
        try:
            async with asyncio.timeout(deadline):
                async with asyncio.TaskGroup() as tg:
                    for url in urls:
                        tg.create_task(fetch_one(session, url))
        except TimeoutError:
            pass
    return results
