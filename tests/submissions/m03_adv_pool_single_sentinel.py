# expect: 3.1 timed out "one sentinel per worker"
# task: 3.1
# verdict: wrong
# clause: "with more workers than URLs ... and with no URLs at all **it still returns**"
# defect: Puts a single None sentinel after the URLs: the worker that takes it stops, every other worker waits on queue.get() forever, and gather never returns.
async def fetch_with_pool(urls: list[str], workers: int) -> list[dict]:
    """Fetch every URL with `workers` workers sharing a queue; results in the order of `urls`."""
    queue: asyncio.Queue = asyncio.Queue()
    for index, url in enumerate(urls):
        queue.put_nowait((index, url))
    queue.put_nowait(None)  # end of work
    results: list[dict | None] = [None] * len(urls)

    async with aiohttp.ClientSession() as session:

        async def worker() -> None:
            while True:
                job = await queue.get()
                if job is None:
                    return
                index, url = job
                results[index] = await fetch_json(session, url)

        await asyncio.gather(*(worker() for _ in range(workers)))
    return results  # type: ignore[return-value]
