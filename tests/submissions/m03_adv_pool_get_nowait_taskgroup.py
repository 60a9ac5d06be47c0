# expect: 3.1 passed "16 URLs fetched exactly once"
# task: 3.1
# verdict: right
# clause: all satisfied
# defect: -
async def fetch_with_pool(urls: list[str], workers: int) -> list[dict]:
    """Fetch every URL with `workers` workers sharing a queue; results in the order of `urls`."""
    # The queue is filled before any worker starts and nothing is added later, so a worker
    # that finds it empty is done: no sentinels, no join, no cancelling.
    queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
    for job in enumerate(urls):
        queue.put_nowait(job)
    results: list[dict | None] = [None] * len(urls)

    async def worker(session: aiohttp.ClientSession) -> None:
        while True:
            try:
                index, url = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            results[index] = await fetch_json(session, url)

    async with aiohttp.ClientSession() as session:
        async with asyncio.TaskGroup() as tg:
            for _ in range(workers):
                tg.create_task(worker(session))
    return results  # type: ignore[return-value]
