# expect: 6.5 failed "in the kernel's own process (in a thread)"
# task: 6.5
# verdict: wrong
# clause: "2 parser tasks each take a text and **compute `parse(text)` in the pool** (`loop.run_in_executor(pool, parse, text)`)"
# defect: Runs parse with asyncio.to_thread, i.e. in a thread of the kernel's own process, ignoring the process pool it was given.
async def pipeline(
    urls: dict[int, str], db_path: str, pool: Executor,
    parse: Callable[[str], dict[str, int]] = workloads.word_counts,
) -> int:
    """Fetch, parse (in `pool`) and store every document, the three stages at once."""
    loop = asyncio.get_running_loop()
    texts: asyncio.Queue = asyncio.Queue(maxsize=2)   # (doc_id, text), or None: no more
    parsed: asyncio.Queue = asyncio.Queue(maxsize=2)  # (doc_id, counts), or None: no more
    todo = iter(list(urls.items()))  # shared: each fetcher takes the next document in turn

    async def fetcher(session: aiohttp.ClientSession) -> None:
        for doc_id, url in todo:
            async with session.get(url) as resp:
                resp.raise_for_status()
                text = await resp.text()
            await texts.put((doc_id, text))

    async def parser() -> None:
        while (job := await texts.get()) is not None:
            doc_id, text = job
            counts = await asyncio.to_thread(parse, text)  # off the loop's thread
            await parsed.put((doc_id, counts))

    async def writer(db: aiosqlite.Connection) -> int:
        stored = 0
        while (job := await parsed.get()) is not None:
            doc_id, counts = job
            await db.executemany(
                "INSERT INTO counts (doc_id, word, n) VALUES (?, ?, ?)",
                [(doc_id, word, n) for word, n in counts.items()])
            await db.commit()
            stored += 1
        return stored

    async def fetch_stage(session: aiohttp.ClientSession) -> None:
        async with asyncio.TaskGroup() as tg:
            for _ in range(3):
                tg.create_task(fetcher(session))
        for _ in range(2):
            await texts.put(None)  # one end marker per parser

    async def parse_stage() -> None:
        async with asyncio.TaskGroup() as tg:
            for _ in range(2):
                tg.create_task(parser())
        await parsed.put(None)  # the writer's end marker

    async with aiohttp.ClientSession() as session, aiosqlite.connect(db_path) as db:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(fetch_stage(session))
            tg.create_task(parse_stage())
            stored = tg.create_task(writer(db))
    return stored.result()
