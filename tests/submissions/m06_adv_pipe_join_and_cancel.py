# expect: 6.5 passed "documents between fetched and stored"
# task: 6.5
# verdict: right
# clause: all satisfied
# defect: -
async def pipeline(
    urls: dict[int, str], db_path: str, pool: Executor,
    parse: Callable[[str], dict[str, int]] = workloads.word_counts,
) -> int:
    """Fetch, parse (in `pool`) and store every document, the three stages at once."""
    loop = asyncio.get_running_loop()
    todo: asyncio.Queue = asyncio.Queue()  # the input: every (doc_id, url), filled up front
    for entry in urls.items():
        todo.put_nowait(entry)
    texts: asyncio.Queue = asyncio.Queue(maxsize=2)
    parsed: asyncio.Queue = asyncio.Queue(maxsize=2)
    stored = 0

    async def fetcher(session: aiohttp.ClientSession) -> None:
        while True:
            try:
                doc_id, url = todo.get_nowait()
            except asyncio.QueueEmpty:
                return
            async with session.get(url) as resp:
                resp.raise_for_status()
                text = await resp.text()
            await texts.put((doc_id, text))

    async def parser() -> None:
        while True:
            doc_id, text = await texts.get()
            try:
                counts = await loop.run_in_executor(pool, parse, text)
                await parsed.put((doc_id, counts))
            finally:
                texts.task_done()

    async def writer(db: aiosqlite.Connection) -> None:
        nonlocal stored
        while True:
            doc_id, counts = await parsed.get()
            try:
                await db.executemany(
                    "INSERT INTO counts (doc_id, word, n) VALUES (?, ?, ?)",
                    [(doc_id, word, n) for word, n in counts.items()])
                await db.commit()
                stored += 1
            finally:
                parsed.task_done()

    async with aiohttp.ClientSession() as session, aiosqlite.connect(db_path) as db:
        consumers = [asyncio.create_task(parser()) for _ in range(2)]
        consumers.append(asyncio.create_task(writer(db)))
        try:
            await asyncio.gather(*(fetcher(session) for _ in range(3)))
            await texts.join()   # every text parsed and handed on
            await parsed.join()  # every document stored and committed
        finally:
            for task in consumers:
                task.cancel()
            await asyncio.gather(*consumers, return_exceptions=True)  # they have ended
    return stored
