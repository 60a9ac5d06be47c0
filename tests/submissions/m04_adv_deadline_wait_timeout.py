# expect: 4.2 passed "slow requests cancelled by your code"
# verdict: right
# clause: all satisfied
# defect: -
async def fetch_until_deadline(urls: list[str], deadline: float) -> dict[str, dict]:
    """The JSON of every URL that answered successfully within `deadline` seconds."""
    if not urls:
        return {}
    async with aiohttp.ClientSession() as session:
        by_task = {asyncio.create_task(fetch_json(session, url)): url for url in urls}
        try:
            done, pending = await asyncio.wait(by_task, timeout=deadline)
        finally:
            for task in by_task:
                task.cancel()  # no effect on the finished ones
            await asyncio.gather(*by_task, return_exceptions=True)
        answers = {}
        for task in done:
            exc = task.exception()
            if exc is None:
                answers[by_task[task]] = task.result()
            elif not isinstance(exc, aiohttp.ClientError):
                raise exc  # a bug, not a failed URL
        return answers
