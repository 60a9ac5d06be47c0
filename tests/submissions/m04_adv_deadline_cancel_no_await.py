# expect: 4.2 failed "were still running when"
# verdict: wrong
# clause: "requests still running at the deadline are **cancelled** (**nothing may be left running**)"
# defect: Cancels the pending tasks after asyncio.wait() times out but returns without awaiting them, so they are still unwinding when the function returns.
async def fetch_until_deadline(urls: list[str], deadline: float) -> dict[str, dict]:
    """The JSON of every URL that answered successfully within `deadline` seconds."""
    session = aiohttp.ClientSession()
    tasks = {asyncio.create_task(fetch_json(session, url)): url for url in urls}
    done, pending = await asyncio.wait(tasks, timeout=deadline)
    for task in pending:
        task.cancel()
    asyncio.get_running_loop().create_task(session.close())
    return {tasks[t]: t.result() for t in done if t.exception() is None}
