# expect: 3.2 failed "save() was running"
# task: 3.2
# verdict: wrong
# clause: "one **saver** takes the items and calls `await save(item)`, **one call at a time**"
# defect: The saver starts a task per item so saving "keeps up", which runs many save() calls at once.
async def fetch_and_save(urls: list[str], save, *, workers: int = 3, maxsize: int = 3,
                         make_queue=asyncio.Queue) -> int:
    """Producer -> `workers` fetchers -> one saver, joined by queues from make_queue(maxsize)."""
    url_queue = make_queue(maxsize)
    item_queue = make_queue(maxsize)

    async with aiohttp.ClientSession() as session:

        async def producer() -> None:
            for url in urls:
                await url_queue.put(url)
            for _ in range(workers):
                await url_queue.put(None)

        async def fetcher() -> None:
            while (url := await url_queue.get()) is not None:
                await item_queue.put(await fetch_json(session, url))

        async def saver() -> int:
            saving = []
            while (item := await item_queue.get()) is not None:
                saving.append(asyncio.create_task(save(item)))
            await asyncio.gather(*saving)
            return len(saving)

        saver_task = asyncio.create_task(saver())
        await asyncio.gather(producer(), *(fetcher() for _ in range(workers)))
        await item_queue.put(None)
        return await saver_task
