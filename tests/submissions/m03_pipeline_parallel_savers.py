# expect: 3.2 failed "save() was running 3 times at once"
async def fetch_and_save(urls: list[str], save, *, workers: int = 3, maxsize: int = 3,
                         make_queue=asyncio.Queue) -> int:
    # Bounded queues, but one saver per fetcher: the store gets concurrent writes.
    DONE = object()
    todo, items = make_queue(maxsize), make_queue(maxsize)
    saved = 0
    async with aiohttp.ClientSession() as session:
        async def produce():
            for url in urls:
                await todo.put(url)
            for _ in range(workers):
                await todo.put(DONE)

        async def fetch():
            while (url := await todo.get()) is not DONE:
                await items.put(await fetch_json(session, url))
            await items.put(DONE)

        async def save_all():
            nonlocal saved
            while (item := await items.get()) is not DONE:
                await save(item)
                saved += 1

        async with asyncio.TaskGroup() as tg:
            tg.create_task(produce())
            for _ in range(workers):
                tg.create_task(fetch())
                tg.create_task(save_all())
    return saved
