# expect: 4.2 failed "waited out the whole deadline"
# verdict: wrong
# clause: "when everything has arrived before the deadline, **return at once**: the deadline is a limit, not a pause"
# defect: Starts the requests, sleeps the full deadline and then collects what is done, so it always takes `deadline` seconds.
async def fetch_until_deadline(urls: list[str], deadline: float) -> dict[str, dict]:
    """The JSON of every URL that answered successfully within `deadline` seconds."""
    async with aiohttp.ClientSession() as session:
        tasks = {url: asyncio.create_task(fetch_json(session, url)) for url in urls}
        await asyncio.sleep(deadline)
        results = {}
        for url, task in tasks.items():
            if not task.done():
                task.cancel()
            elif not task.cancelled() and task.exception() is None:
                results[url] = task.result()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
        return results
