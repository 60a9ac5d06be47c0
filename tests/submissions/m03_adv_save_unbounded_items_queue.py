# expect: 3.2 failed "never went through a queue from make_queue()"
# task: 3.2
# verdict: wrong
# clause: "Create **every queue with `make_queue(maxsize)`**"
# defect: Only the URL queue comes from make_queue; the item queue is a plain unbounded asyncio.Queue(), so fetched items pile up in front of the slow saver.
async def fetch_and_save(urls: list[str], save, *, workers: int = 3, maxsize: int = 3,
                         make_queue=asyncio.Queue) -> int:
    """Producer -> `workers` fetchers -> one saver, joined by queues from make_queue(maxsize)."""
    url_queue = make_queue(maxsize)
    item_queue: asyncio.Queue = asyncio.Queue()  # results can go anywhere
    saved = 0

    async with aiohttp.ClientSession() as session:

        async def producer() -> None:
            for url in urls:
                await url_queue.put(url)
            for _ in range(workers):
                await url_queue.put(None)

        async def fetcher() -> None:
            while (url := await url_queue.get()) is not None:
                await item_queue.put(await fetch_json(session, url))

        async def saver() -> None:
            nonlocal saved
            while (item := await item_queue.get()) is not None:
                await save(item)
                saved += 1

        saver_task = asyncio.create_task(saver())
        await asyncio.gather(producer(), *(fetcher() for _ in range(workers)))
        await item_queue.put(None)
        await saver_task
    return saved
