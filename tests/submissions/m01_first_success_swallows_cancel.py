# expect: 1.2 failed "were cancelled but did not stop"
async def first_success(urls: list[str]) -> dict:
    async with aiohttp.ClientSession() as session:

        async def attempt(url: str):
            try:
                return await fetch_json(session, url)
            except BaseException:  # also swallows the CancelledError
                return None

        tasks = [asyncio.create_task(attempt(url)) for url in urls]
        try:
            for next_done in asyncio.as_completed(tasks):
                item = await next_done
                if item is not None:
                    return item
            raise RuntimeError("all requests failed")
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
