# expect: 4.2 failed "were still running when"
async def fetch_until_deadline(urls, deadline):
    # asyncio.wait(timeout=...) stops waiting but cancels nothing; leaving the session closes
    # the connections, yet the slow tasks are still running when the function returns.
    async with aiohttp.ClientSession() as session:
        tasks = {asyncio.create_task(fetch_json(session, u)): u for u in urls}
        done, pending = await asyncio.wait(tasks, timeout=deadline)
        return {tasks[t]: t.result() for t in done if t.exception() is None}
