# expect: 4.2 failed "were still running when"
async def fetch_until_deadline(urls, deadline):
    # asyncio.wait stops waiting at the deadline, but the slow tasks keep running.
    session = aiohttp.ClientSession()
    tasks = {asyncio.create_task(fetch_json(session, url)): url for url in urls}
    done, pending = await asyncio.wait(tasks, timeout=deadline)
    return {tasks[t]: t.result() for t in done if t.exception() is None}
