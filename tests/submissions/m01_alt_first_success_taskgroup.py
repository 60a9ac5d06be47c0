# expect: 1.2 passed "were skipped"
class Won(Exception):
    def __init__(self, item: dict) -> None:
        super().__init__("winner")
        self.item = item


async def first_success(urls: list[str]) -> dict:
    # A TaskGroup whose tasks handle their own failures; the winner stops the group.
    async def attempt(session: aiohttp.ClientSession, url: str) -> None:
        try:
            item = await fetch_json(session, url)
        except aiohttp.ClientError:
            return
        raise Won(item)

    found = None
    try:
        async with aiohttp.ClientSession() as session, asyncio.TaskGroup() as tg:
            for url in urls:
                tg.create_task(attempt(session, url))
    except* Won as group:
        found = group.exceptions[0].item  # `return` is not allowed inside except*
    if found is None:
        raise RuntimeError("no request succeeded")
    return found
