# expect: 1.2 passed "were skipped"
async def first_success(urls: list[str]) -> dict:
    # asyncio.wait(FIRST_COMPLETED) in a loop, cleanup in finally.
    async with aiohttp.ClientSession() as session:
        pending = {asyncio.create_task(fetch_json(session, url)) for url in urls}
        try:
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for t in done:
                    if t.exception() is None:
                        return t.result()
            raise RuntimeError("every request failed")
        finally:
            for t in pending:
                t.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
