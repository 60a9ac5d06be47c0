# expect: 5.1 failed "went through the session passed to paginate"
async def paginate(session: aiohttp.ClientSession, url: str) -> AsyncIterator[dict]:
    # Lazy and correct, but opens a session of its own instead of using the one it is given.
    async with aiohttp.ClientSession() as own:
        next_url = url
        while next_url:
            async with own.get(next_url) as resp:
                page = await resp.json()
            for item in page["items"]:
                yield item
            next_url = urljoin(next_url, page["next"]) if page["next"] else None
