# expect: 3.2 passed "24 items saved once each"
# task: 3.2
# verdict: right
# clause: all satisfied
# defect: -
async def fetch_and_save(urls: list[str], save, *, workers: int = 3, maxsize: int = 3,
                         make_queue=asyncio.Queue) -> int:
    """Producer -> `workers` fetchers -> one saver, joined by queues from make_queue(maxsize)."""
    url_queue = make_queue(maxsize)
    item_queue = make_queue(maxsize)
    saved = 0

    async with aiohttp.ClientSession() as session:

        async def producer() -> None:
            for url in urls:
                await url_queue.put(url)

        async def fetcher() -> None:
            while True:
                url = await url_queue.get()
                try:
                    item = await fetch_json(session, url)
                    await item_queue.put(item)  # waits while the saver is behind
                finally:
                    url_queue.task_done()

        async def saver() -> None:
            nonlocal saved
            while True:
                item = await item_queue.get()
                try:
                    await save(item)
                    saved += 1
                finally:
                    item_queue.task_done()

        async def feed_and_drain() -> None:
            await producer()
            await url_queue.join()   # every URL fetched and its item queued...
            await item_queue.join()  # ...and every queued item saved

        stages = [asyncio.create_task(fetcher()) for _ in range(workers)]
        stages.append(asyncio.create_task(saver()))
        main = asyncio.create_task(feed_and_drain())
        try:
            # the stages loop forever, so they only finish early by failing
            await asyncio.wait([main, *stages], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (main, *stages):
                task.cancel()
            await asyncio.gather(main, *stages, return_exceptions=True)
        for task in (main, *stages):
            if not task.cancelled() and task.exception() is not None:
                raise task.exception()
    return saved
