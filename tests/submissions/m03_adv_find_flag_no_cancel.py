# expect: 3.3 failed "ran to the end"
# task: 3.3
# verdict: wrong
# clause: "stop the pool: the other workers take no more URLs, **their requests in flight are cancelled**"
# defect: Sets a shared `found` flag that the workers check before taking the next URL, then waits for them to notice, so the requests already in flight (the 5 s ones) run to the end.
async def find_first(urls: list[str], workers: int, wanted) -> dict | None:
    """Fetch with `workers` workers; return the first item for which wanted(item) is true,
    cancelling the rest at once; None when no item is wanted."""
    queue: asyncio.Queue = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    answer: dict | None = None

    async with aiohttp.ClientSession() as session:

        async def worker() -> None:
            nonlocal answer
            while answer is None and not queue.empty():
                item = await fetch_json(session, queue.get_nowait())
                if answer is None and wanted(item):
                    answer = item

        await asyncio.gather(*(worker() for _ in range(workers)))
    return answer
