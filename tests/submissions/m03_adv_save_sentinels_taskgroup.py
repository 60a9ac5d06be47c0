# expect: 3.2 passed "24 items saved once each"
# task: 3.2
# verdict: right
# clause: all satisfied
# defect: -
_DONE = object()


async def fetch_and_save(urls: list[str], save, *, workers: int = 3, maxsize: int = 3,
                         make_queue=asyncio.Queue) -> int:
    """Producer -> `workers` fetchers -> one saver, joined by queues from make_queue(maxsize)."""
    url_queue = make_queue(maxsize)
    item_queue = make_queue(maxsize)
    saved = 0

    async def producer() -> None:
        for url in urls:
            await url_queue.put(url)
        for _ in range(workers):  # one stop marker per fetcher
            await url_queue.put(_DONE)

    async def fetcher(session: aiohttp.ClientSession) -> None:
        while (url := await url_queue.get()) is not _DONE:
            await item_queue.put(await fetch_json(session, url))

    async def fetchers(session: aiohttp.ClientSession) -> None:
        async with asyncio.TaskGroup() as tg:
            for _ in range(workers):
                tg.create_task(fetcher(session))
        await item_queue.put(_DONE)  # every fetcher has finished: tell the saver

    async def saver() -> None:
        nonlocal saved
        while (item := await item_queue.get()) is not _DONE:
            await save(item)
            saved += 1

    async with aiohttp.ClientSession() as session:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(producer())
            tg.create_task(fetchers(session))
            tg.create_task(saver())
    return saved
