# expect: 4.2 failed "one at a time"
async def fetch_until_deadline(urls, deadline):
    # Under one deadline, but one request after the other.
    results = {}
    async with aiohttp.ClientSession() as session:
        try:
            async with asyncio.timeout(deadline):
                for url in urls:
                    try:
                        results[url] = await fetch_json(session, url)
                    except aiohttp.ClientError:
                        pass
        except TimeoutError:
            pass
    return results
