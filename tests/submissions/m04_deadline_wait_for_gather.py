# expect: 4.2 failed "returned 0 of the 3 answers"
async def fetch_until_deadline(urls, deadline):
    # wait_for cancels the whole gather at the deadline: the answers it had are lost with it.
    async with aiohttp.ClientSession() as session:
        try:
            results = await asyncio.wait_for(
                asyncio.gather(*(fetch_json(session, u) for u in urls), return_exceptions=True),
                timeout=deadline,
            )
        except TimeoutError:
            return {}
    return {u: r for u, r in zip(urls, results) if not isinstance(r, BaseException)}
