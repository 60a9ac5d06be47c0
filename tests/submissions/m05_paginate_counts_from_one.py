# expect: 5.1 failed "Start at the `url` you are given"
from yarl import URL


async def paginate(session: aiohttp.ClientSession, url: str) -> AsyncIterator[dict]:
    # Numbers the pages itself from 1, whatever page `url` starts at.
    page_no = 1
    while True:
        async with session.get(URL(url).update_query(page=page_no)) as resp:
            page = await resp.json()
        for item in page["items"]:
            yield item
        if page["next"] is None:
            return
        page_no += 1
