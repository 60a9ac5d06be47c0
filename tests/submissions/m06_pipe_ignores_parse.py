# expect: 6.5 failed "never called the `parse` function"
# Parses with workloads.word_counts instead of the parse function it is given.
async def pipeline(
    urls: dict[int, str], db_path: str, pool: Executor,
    parse: Callable[[str], dict[str, int]] = workloads.word_counts,
) -> int:
    loop = asyncio.get_running_loop()
    texts: asyncio.Queue = asyncio.Queue(maxsize=2)
    counted: asyncio.Queue = asyncio.Queue(maxsize=2)
    todo = iter(urls.items())
    stored = 0

    async def fetcher(session: aiohttp.ClientSession) -> None:
        for doc_id, url in todo:
            async with session.get(url) as resp:
                resp.raise_for_status()
                text = await resp.text()
            await texts.put((doc_id, text))

    async def parser() -> None:
        while (job := await texts.get()) is not None:
            doc_id, text = job
            counts = await loop.run_in_executor(pool, workloads.word_counts, text)
            await counted.put((doc_id, counts))

    async def writer(db: aiosqlite.Connection) -> None:
        nonlocal stored
        while (job := await counted.get()) is not None:
            doc_id, counts = job
            rows = [(doc_id, word, n) for word, n in counts.items()]
            await db.executemany("INSERT INTO counts (doc_id, word, n) VALUES (?, ?, ?)", rows)
            await db.commit()
            stored += 1

    async with aiohttp.ClientSession() as session, aiosqlite.connect(db_path) as db:
        async with asyncio.TaskGroup() as everything:
            everything.create_task(writer(db))
            async with asyncio.TaskGroup() as parsing:
                for _ in range(2):
                    parsing.create_task(parser())
                async with asyncio.TaskGroup() as fetching:
                    for _ in range(3):
                        fetching.create_task(fetcher(session))
                for _ in range(2):
                    await texts.put(None)
            await counted.put(None)
    return stored
