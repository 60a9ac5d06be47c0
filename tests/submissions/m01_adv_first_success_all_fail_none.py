# expect: 1.2 failed "should raise an exception"
# Written from the task text alone. Defect: When every request fails the loop simply ends and the function returns None instead of raising.
async def first_success(urls: list[str]) -> dict:
    """Return the JSON of the first URL that answers successfully; cancel the rest."""
    async with aiohttp.ClientSession() as session:
        tasks = [asyncio.create_task(fetch_json(session, url)) for url in urls]
        try:
            for next_done in asyncio.as_completed(tasks):
                try:
                    return await next_done
                except aiohttp.ClientError:  # (adapted: every kind of failed request is skipped)
                    continue
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
