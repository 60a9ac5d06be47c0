# expect: 1.2 failed "In a TaskGroup, one task that fails"
async def first_success(urls: list[str]) -> dict:
    # A TaskGroup cancels everything as soon as the 503 task fails.
    async with aiohttp.ClientSession() as session:
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(fetch_json(session, url)) for url in urls]
            for next_done in asyncio.as_completed(tasks):
                try:
                    item = await next_done
                except aiohttp.ClientError:
                    continue
                for t in tasks:
                    t.cancel()
                return item
    raise RuntimeError("all requests failed")
