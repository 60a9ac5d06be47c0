# expect: 3.1 failed "were still running when fetch_with_pool() returned"
# task: 3.1
# verdict: wrong
# clause: "with more workers than URLs ... and with no URLs at all it still returns, and **no worker task is left running**"
# defect: Returns after queue.join() but never cancels the `while True` workers, which stay blocked on queue.get() forever.
async def fetch_with_pool(urls: list[str], workers: int) -> list[dict]:
    """Fetch every URL with `workers` workers sharing a queue; results in the order of `urls`."""
    queue: asyncio.Queue = asyncio.Queue()
    for index, url in enumerate(urls):
        queue.put_nowait((index, url))
    results: list[dict | None] = [None] * len(urls)

    async with aiohttp.ClientSession() as session:

        async def worker() -> None:
            while True:
                index, url = await queue.get()
                try:
                    results[index] = await fetch_json(session, url)
                finally:
                    queue.task_done()

        for _ in range(workers):
            asyncio.create_task(worker())
        await queue.join()
    return results  # type: ignore[return-value]
