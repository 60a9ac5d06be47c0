# expect: 6.5 failed "document requests at once; the pipeline has 3 fetchers"
# task: 6.5
# verdict: wrong
# clause: "**fetch**: 3 fetcher tasks, sharing one `aiohttp.ClientSession`, take the documents in turn"
# defect: Starts one fetch task per document, so all the requests are in flight at once (the bounded queue only delays the put after each download).
async def pipeline(
    urls: dict[int, str], db_path: str, pool: Executor,
    parse: Callable[[str], dict[str, int]] = workloads.word_counts,
) -> int:
    """Fetch, parse (in `pool`) and store every document, the three stages at once."""
    loop = asyncio.get_running_loop()
    texts: asyncio.Queue = asyncio.Queue(maxsize=2)   # (doc_id, text), or None: no more
    parsed: asyncio.Queue = asyncio.Queue(maxsize=2)  # (doc_id, counts), or None: no more

    async def fetch_one(session: aiohttp.ClientSession, doc_id: int, url: str) -> None:
        async with session.get(url) as resp:
            resp.raise_for_status()
            text = await resp.text()
        await texts.put((doc_id, text))

    async def parser() -> None:
        while (job := await texts.get()) is not None:
            doc_id, text = job
            counts = await loop.run_in_executor(pool, parse, text)
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
            for doc_id, url in urls.items():  # every download at once: the queue holds them back
                tg.create_task(fetch_one(session, doc_id, url))
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
