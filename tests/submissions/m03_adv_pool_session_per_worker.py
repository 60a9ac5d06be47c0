# expect: 3.1 failed "opened 4 aiohttp.ClientSession objects"
# task: 3.1
# verdict: wrong
# clause: "Use **one** `aiohttp.ClientSession` for all workers."
# defect: Each worker opens its own ClientSession, so there are `workers` sessions and connection pools.
async def fetch_with_pool(urls: list[str], workers: int) -> list[dict]:
    """Fetch every URL with `workers` workers sharing a queue; results in the order of `urls`."""
    queue: asyncio.Queue = asyncio.Queue()
    for item in enumerate(urls):
        queue.put_nowait(item)
    for _ in range(workers):
        queue.put_nowait(None)
    results: list[dict | None] = [None] * len(urls)

    async def worker() -> None:
        async with aiohttp.ClientSession() as session:
            while (job := await queue.get()) is not None:
                index, url = job
                results[index] = await fetch_json(session, url)

    await asyncio.gather(*(worker() for _ in range(workers)))
    return results  # type: ignore[return-value]
