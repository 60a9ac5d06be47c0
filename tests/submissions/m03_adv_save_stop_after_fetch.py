# expect: 3.2 failed "were never saved"
# task: 3.2
# verdict: wrong
# clause: "Return the number of items saved" (every item must be saved)
# defect: Stops the pipeline once the URL queue is joined, i.e. when fetching is done, and cancels the saver while items are still waiting in the item queue.
async def fetch_and_save(urls: list[str], save, *, workers: int = 3, maxsize: int = 3,
                         make_queue=asyncio.Queue) -> int:
    """Producer -> `workers` fetchers -> one saver, joined by queues from make_queue(maxsize)."""
    url_queue = make_queue(maxsize)
    item_queue = make_queue(maxsize)
    saved = 0

    async with aiohttp.ClientSession() as session:

        async def fetcher() -> None:
            while True:
                url = await url_queue.get()
                try:
                    await item_queue.put(await fetch_json(session, url))
                finally:
                    url_queue.task_done()

        async def saver() -> None:
            nonlocal saved
            while True:
                item = await item_queue.get()
                await save(item)
                saved += 1
                item_queue.task_done()

        tasks = [asyncio.create_task(fetcher()) for _ in range(workers)]
        tasks.append(asyncio.create_task(saver()))
        for url in urls:  # the producer
            await url_queue.put(url)
        await url_queue.join()  # every URL fetched: done
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return saved
