# expect: 4.2 failed "a dict kept between calls"
RESULTS = {}


async def fetch_until_deadline(urls, deadline):
    # One dict for every call: the second call also returns the first call's answers.
    async def fetch_one(session, url):
        try:
            RESULTS[url] = await fetch_json(session, url)
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
    return RESULTS
