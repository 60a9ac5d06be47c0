# expect: 3.2 failed "Fetching ran ahead of saving"
# task: 3.2
# verdict: wrong
# clause: "The bounded queues must make the fetchers (and through them the producer) **wait for the saver**"
# defect: Fetchers hand each item to a background put() task instead of awaiting put(), so they never wait: items pile up in pending put tasks and fetching races ahead of saving.
async def fetch_and_save(urls: list[str], save, *, workers: int = 3, maxsize: int = 3,
                         make_queue=asyncio.Queue) -> int:
    """Producer -> `workers` fetchers -> one saver, joined by queues from make_queue(maxsize)."""
    url_queue = make_queue(maxsize)
    item_queue = make_queue(maxsize)
    pending_puts: list[asyncio.Task] = []
    saved = 0

    async with aiohttp.ClientSession() as session:

        async def producer() -> None:
            for url in urls:
                await url_queue.put(url)
            for _ in range(workers):
                await url_queue.put(None)

        async def fetcher() -> None:
            while (url := await url_queue.get()) is not None:
                item = await fetch_json(session, url)
                # do not let a full queue slow the fetcher down
                pending_puts.append(asyncio.create_task(item_queue.put(item)))

        async def saver() -> None:
            nonlocal saved
            while (item := await item_queue.get()) is not None:
                await save(item)
                saved += 1

        saver_task = asyncio.create_task(saver())
        await asyncio.gather(producer(), *(fetcher() for _ in range(workers)))
        await asyncio.gather(*pending_puts)
        await item_queue.put(None)
        await saver_task
    return saved
