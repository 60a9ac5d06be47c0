# expect: 1.3 passed "in completion order"
# An unusual but right answer, written from the task text alone.
async def fetch_with_progress(urls: list[str], on_result) -> list[dict]:
    """Fetch concurrently; call on_result(item) as each arrives; return items in arrival order."""
    arrived: list[dict] = []

    def report(task: asyncio.Task) -> None:
        # done callbacks run in the order the tasks complete
        if not task.cancelled() and task.exception() is None:
            item = task.result()
            arrived.append(item)
            on_result(item)

    async with aiohttp.ClientSession() as session:
        tasks = []
        for url in urls:
            task = asyncio.create_task(fetch_json(session, url))
            task.add_done_callback(report)
            tasks.append(task)
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        # the callbacks of the last tasks have already run: gather's own callback is
        # scheduled after theirs, so `arrived` is complete here
    return arrived
