# expect: 3.3 failed "did not wait for them to stop"
# task: 3.3
# verdict: wrong
# clause: "no worker task is left running"
# defect: Cancels the worker tasks when the answer arrives but returns without awaiting them, so they are still running (unwinding their requests and sessions) after the function returned.
async def find_first(urls: list[str], workers: int, wanted) -> dict | None:
    """Fetch with `workers` workers; return the first item for which wanted(item) is true,
    cancelling the rest at once; None when no item is wanted."""
    queue: asyncio.Queue = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    results: asyncio.Queue = asyncio.Queue()

    async def worker() -> None:
        async with aiohttp.ClientSession() as session:  # each worker keeps its own connection
            while True:
                try:
                    url = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                await results.put(await fetch_json(session, url))

    tasks = [asyncio.create_task(worker()) for _ in range(workers)]
    for _ in urls:
        item = await results.get()
        if wanted(item):
            for task in tasks:
                task.cancel()
            return item
    return None
