# expect: 3.1 failed "not in the order of the URLs"
# task: 3.1
# verdict: wrong
# clause: "returns the JSON bodies **in the order of `urls`**"
# defect: Workers append each body to a shared list as they finish, so the results are in completion order.
async def fetch_with_pool(urls: list[str], workers: int) -> list[dict]:
    """Fetch every URL with `workers` workers sharing a queue; results in the order of `urls`."""
    queue: asyncio.Queue = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    results: list[dict] = []

    async with aiohttp.ClientSession() as session:

        async def worker() -> None:
            while True:
                try:
                    url = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                results.append(await fetch_json(session, url))

        await asyncio.gather(*(worker() for _ in range(workers)))
    return results
