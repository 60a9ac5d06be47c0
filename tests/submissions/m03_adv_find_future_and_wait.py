# expect: 3.3 passed "item 107 found"
# task: 3.3
# verdict: right
# clause: all satisfied
# defect: -
async def find_first(urls: list[str], workers: int, wanted) -> dict | None:
    """Fetch with `workers` workers; return the first item for which wanted(item) is true,
    cancelling the rest at once; None when no item is wanted."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    for _ in range(workers):
        queue.put_nowait(None)  # type: ignore[arg-type]
    found: asyncio.Future = asyncio.get_running_loop().create_future()

    async with aiohttp.ClientSession() as session:

        async def worker() -> None:
            while (url := await queue.get()) is not None:
                item = await fetch_json(session, url)
                if wanted(item) and not found.done():
                    found.set_result(item)
                    return

        pool = [asyncio.create_task(worker()) for _ in range(workers)]
        all_done = asyncio.gather(*pool)
        try:
            await asyncio.wait([found, all_done], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in pool:
                task.cancel()
            await asyncio.gather(*pool, return_exceptions=True)
            all_done.cancel()
            if all_done.done() and not all_done.cancelled():
                all_done.exception()  # consume: already handled below
        if found.done():
            return found.result()
        all_done.result()  # no item was wanted: surface a worker's error, if any
        return None
