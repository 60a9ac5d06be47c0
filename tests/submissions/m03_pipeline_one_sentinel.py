# expect: 3.2 timed out "waiting in Queue.get()"
async def fetch_and_save(urls: list[str], save, *, workers: int = 3, maxsize: int = 3,
                         make_queue=asyncio.Queue) -> int:
    DONE = object()
    todo, items = make_queue(maxsize), make_queue(maxsize)
    saved = 0
    async with aiohttp.ClientSession() as session:
        async def produce():
            for url in urls:
                await todo.put(url)
            await todo.put(DONE)  # the stop signal for the fetchers

        async def fetch():
            while (url := await todo.get()) is not DONE:
                await items.put(await fetch_json(session, url))

        async def fetch_stage():
            async with asyncio.TaskGroup() as fetchers:
                for _ in range(workers):
                    fetchers.create_task(fetch())
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
