# expect: 4.2 failed "It waited for the slow requests"
async def fetch_until_deadline(urls, deadline):
    # Everything at once, failures left out, but no deadline: it waits for the slowest answer.
    async with aiohttp.ClientSession() as session:
        bodies = await asyncio.gather(*(fetch_json(session, u) for u in urls), return_exceptions=True)
    return {u: b for u, b in zip(urls, bodies) if not isinstance(b, BaseException)}
