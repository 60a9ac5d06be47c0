# expect: 3.2 failed "were still running when"
async def fetch_and_save(urls: list[str], save, *, workers: int = 3, maxsize: int = 3,
                         make_queue=asyncio.Queue) -> int:
    # Waits with join() for the items to be saved, but never stops the saver.
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

        async def save_all():
            nonlocal saved
            while True:
                item = await items.get()
                await save(item)
                saved += 1
                items.task_done()

        saver = asyncio.create_task(save_all())
        async with asyncio.TaskGroup() as tg:
            tg.create_task(produce())
            for _ in range(workers):
                tg.create_task(fetch())
        await items.join()
    return saved
