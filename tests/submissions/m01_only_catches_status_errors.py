# expect: 1.2 failed "raised ServerDisconnectedError from a request that failed"
async def first_success(urls: list[str]) -> dict:
    # Skips 4xx/5xx answers, but a dropped connection is another kind of failure.
    async with aiohttp.ClientSession() as session:
        tasks = [asyncio.create_task(fetch_json(session, url)) for url in urls]
        try:
            for next_done in asyncio.as_completed(tasks):
                try:
                    return await next_done
                except aiohttp.ClientResponseError:
                    continue
            raise RuntimeError("all requests failed")
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
