# expect: 3.2 timed out "did that stage stop early"
async def fetch_and_save(urls: list[str], save, *, workers: int = 3, maxsize: int = 3,
                         make_queue=asyncio.Queue) -> int:
    # The saver stops as soon as its queue is empty, which it is at the start: the fetchers
    # then wait forever for room in a full queue that nobody empties.
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
            while not items.empty():
                await save(await items.get())
                saved += 1

        async with asyncio.TaskGroup() as tg:
            tg.create_task(produce())
            for _ in range(workers):
                tg.create_task(fetch())
            tg.create_task(save_all())
    return saved
