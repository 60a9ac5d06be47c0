# expect: 3.1 passed "16 URLs fetched exactly once"
# task: 3.1
# verdict: right
# clause: all satisfied
# defect: -
_QueueShutDown = getattr(asyncio, "QueueShutDown", None)  # Python 3.13+
_STOP = object()


async def fetch_with_pool(urls: list[str], workers: int) -> list[dict]:
    """Fetch every URL with `workers` workers sharing a queue; results in the order of `urls`."""
    queue: asyncio.Queue = asyncio.Queue()
    for job in enumerate(urls):
        queue.put_nowait(job)
    if _QueueShutDown is not None:
        queue.shutdown()  # 3.13: get() drains what is queued, then raises QueueShutDown
    else:
        for _ in range(workers):  # 3.11/3.12: one stop marker per worker
            queue.put_nowait(_STOP)
    results: list[dict | None] = [None] * len(urls)

    async with aiohttp.ClientSession() as session:

        async def worker() -> None:
            while True:
                try:
                    job = await queue.get()
                except Exception as exc:  # only QueueShutDown can come from get() here
                    if _QueueShutDown is not None and isinstance(exc, _QueueShutDown):
                        return
                    raise
                if job is _STOP:
                    return
                index, url = job
                results[index] = await fetch_json(session, url)

        async with asyncio.TaskGroup() as tg:
            for _ in range(workers):
                tg.create_task(worker())
    return results  # type: ignore[return-value]
