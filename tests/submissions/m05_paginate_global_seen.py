# expect: 5.1 failed "A consumer that stopped after 25 items got"
SEEN: set[int] = set()  # kept between calls: a second listing looks already seen


async def paginate(session: aiohttp.ClientSession, url: str) -> AsyncIterator[dict]:
    next_url: str | None = url
    while next_url is not None:
        async with session.get(next_url) as resp:
            page = await resp.json()
        for item in page["items"]:
            if item["id"] not in SEEN:  # never yield the same item twice
                SEEN.add(item["id"])
                yield item
        next_url = urljoin(next_url, page["next"]) if page["next"] else None
