# expect: 3.2 failed "carries over from an earlier call"
saved = 0  # items saved so far

async def fetch_and_save(urls: list[str], save, *, workers: int = 3, maxsize: int = 3,
                         make_queue=asyncio.Queue) -> int:
    DONE = object()
    todo, items = make_queue(maxsize), make_queue(maxsize)
    global saved
    async with aiohttp.ClientSession() as session:
        async def produce():
            for url in urls:
                await todo.put(url)
            for _ in range(workers):
                await todo.put(DONE)

        async def fetch():
            while (url := await todo.get()) is not DONE:
                await items.put(await fetch_json(session, url))

        async def fetch_stage():
            async with asyncio.TaskGroup() as fetchers:
                for _ in range(workers):
                    fetchers.create_task(fetch())
            await items.put(DONE)

        async def save_all():
            global saved
            while (item := await items.get()) is not DONE:
                await save(item)
                saved += 1

        async with asyncio.TaskGroup() as tg:
            tg.create_task(produce())
            tg.create_task(fetch_stage())
            tg.create_task(save_all())
    return saved
