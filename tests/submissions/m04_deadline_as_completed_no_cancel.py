# expect: 4.2 failed "were still running when"
async def fetch_until_deadline(urls, deadline):
    # as_completed(timeout=...) raises TimeoutError at the deadline but cancels nothing.
    results = {}
    async with aiohttp.ClientSession() as session:
        async def one(url):
            return url, await fetch_json(session, url)

        try:
            for next_done in asyncio.as_completed([one(u) for u in urls], timeout=deadline):
                try:
                    url, body = await next_done
                    results[url] = body
                except aiohttp.ClientError:
                    pass
        except TimeoutError:
            pass
    return results
