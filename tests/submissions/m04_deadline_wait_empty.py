# expect: 4.2 failed "With no URLs at all"
async def fetch_until_deadline(urls, deadline):
    # asyncio.wait + cancel + await: right, except that asyncio.wait() refuses an empty set.
    async with aiohttp.ClientSession() as session:
        async def one(url):
            try:
                return await fetch_json(session, url)
            except aiohttp.ClientError:
                return None

        tasks = {asyncio.create_task(one(u)): u for u in urls}
        done, pending = await asyncio.wait(tasks, timeout=deadline)
        for t in pending:
            t.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        return {tasks[t]: t.result() for t in done if t.result() is not None}
