# expect: 3.3 failed "ran to the end"
# task: 3.3
# verdict: wrong
# clause: "**as soon as** an item satisfies `wanted(item)` ..., stop the pool"
# defect: The pool fetches every URL (bounded correctly) and only then searches the results, so nothing is stopped or cancelled and the call lasts as long as the slowest request.
async def find_first(urls: list[str], workers: int, wanted) -> dict | None:
    """Fetch with `workers` workers; return the first item for which wanted(item) is true,
    cancelling the rest at once; None when no item is wanted."""
    queue: asyncio.Queue = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    arrived: list[dict] = []

    async with aiohttp.ClientSession() as session:

        async def worker() -> None:
            while not queue.empty():
                arrived.append(await fetch_json(session, queue.get_nowait()))

        await asyncio.gather(*(worker() for _ in range(workers)))
    return next((item for item in arrived if wanted(item)), None)
