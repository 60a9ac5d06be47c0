# expect: 1.2 failed "is a failure, not a winner"
# Written from the task text alone. Defect: Takes whatever finishes first with FIRST_COMPLETED, so a fast 500 is re-raised instead of waiting for a success.
async def first_success(urls: list[str]) -> dict:
    """Return the JSON of the first URL that answers successfully; cancel the rest."""
    async with aiohttp.ClientSession() as session:
        tasks = [asyncio.create_task(fetch_json(session, url)) for url in urls]
        try:
            done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            return done.pop().result()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
