# expect: 3.3 failed "were cancelled but did not stop"
# task: 3.3
# verdict: wrong
# clause: "no worker task is left running (a worker that swallows `CancelledError` fails this)"
# defect: The worker's bare `except:` meant to skip failed URLs also catches the CancelledError sent to stop the pool, so cancelled workers go on taking URLs.
async def find_first(urls: list[str], workers: int, wanted) -> dict | None:
    """Fetch with `workers` workers; return the first item for which wanted(item) is true,
    cancelling the rest at once; None when no item is wanted."""
    queue: asyncio.Queue = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    found: asyncio.Future = asyncio.get_running_loop().create_future()

    async with aiohttp.ClientSession() as session:

        async def worker() -> None:
            while not queue.empty():
                url = queue.get_nowait()
                try:
                    item = await fetch_json(session, url)
                except:  # noqa: E722  a bad URL must not kill the worker
                    continue
                if wanted(item) and not found.done():
                    found.set_result(item)

        tasks = [asyncio.create_task(worker()) for _ in range(workers)]
        everything = asyncio.gather(*tasks)
        await asyncio.wait([found, everything], return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return found.result() if found.done() else None
