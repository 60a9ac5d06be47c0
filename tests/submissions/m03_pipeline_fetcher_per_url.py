# expect: 3.2 failed "in flight at once with workers=3"
async def fetch_and_save(urls: list[str], save, *, workers: int = 3, maxsize: int = 3,
                         make_queue=asyncio.Queue) -> int:
    # A fetch task per URL (bounded queues, but every request starts at once).
    DONE = object()
    todo, items = make_queue(maxsize), make_queue(maxsize)
    saved = 0
    async with aiohttp.ClientSession() as session:
        async def produce():
            for url in urls:
                await todo.put(url)
            await todo.put(DONE)

        async def fetch_one(url):
            await items.put(await fetch_json(session, url))

        async def fetch_stage():
            async with asyncio.TaskGroup() as fetchers:
                while (url := await todo.get()) is not DONE:
                    fetchers.create_task(fetch_one(url))
            await items.put(DONE)

        async def save_all():
            nonlocal saved
            while (item := await items.get()) is not DONE:
                await save(item)
                saved += 1

        async with asyncio.TaskGroup() as tg:
            tg.create_task(produce())
            tg.create_task(fetch_stage())
            tg.create_task(save_all())
    return saved
