# expect: 1.2 failed "they stopped only afterwards"
# Written from the task text alone. Defect: Calls cancel() on the losing tasks but returns without awaiting them, so they are still running (unwinding their requests) when the function returns.
async def first_success(urls: list[str]) -> dict:
    """Return the JSON of the first URL that answers successfully; cancel the rest."""

    async def get(url: str) -> dict:
        async with aiohttp.ClientSession() as session:
            return await fetch_json(session, url)

    pending = {asyncio.create_task(get(url)) for url in urls}
    last_error: BaseException | None = None
    while pending:
        done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task.exception() is None:
                for other in pending:
                    other.cancel()
                return task.result()
            last_error = task.exception()
    raise RuntimeError("every URL failed") from last_error
