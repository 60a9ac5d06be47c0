# expect: 1.2 failed "The slow requests were not cancelled"
async def first_success(urls: list[str]) -> dict:
    # Leaving the session makes the other requests fail: that is not cancelling them.
    async with aiohttp.ClientSession() as session:
        tasks = [asyncio.create_task(fetch_json(session, url)) for url in urls]
        winner = None
        for next_done in asyncio.as_completed(tasks):
            try:
                winner = await next_done
                break
            except aiohttp.ClientError:
                continue
    await asyncio.gather(*tasks, return_exceptions=True)
    if winner is None:
        raise RuntimeError("all requests failed")
    return winner
