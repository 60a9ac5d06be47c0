# expect: 5.1 failed "consumed in turns with another listing"
_cursor: str | None = None  # where "the" listing goes on: one place shared by every generator


async def paginate(session: aiohttp.ClientSession, url: str) -> AsyncIterator[dict]:
    global _cursor
    _cursor = url
    while _cursor is not None:
        async with session.get(_cursor) as resp:
            page = await resp.json()
        _cursor = urljoin(_cursor, page["next"]) if page["next"] else None
        for item in page["items"]:
            yield item
