# expect: 6.5 failed "the stages ran one after another"
# task: 6.5
# verdict: wrong
# clause: "Three stages, each with its own kind of work, joined by bounded queues, **all busy at the same time**"
# defect: Keeps the 3 fetchers, 2 parsers and one writer but runs the stages one after another through lists: nothing is parsed before every document is fetched, nothing stored before all are parsed.
async def pipeline(
    urls: dict[int, str], db_path: str, pool: Executor,
    parse: Callable[[str], dict[str, int]] = workloads.word_counts,
) -> int:
    """Fetch, parse (in `pool`) and store every document, the three stages at once."""
    loop = asyncio.get_running_loop()
    todo = iter(list(urls.items()))

    # stage 1: 3 fetchers download every document
    fetched: list[tuple[int, str]] = []

    async def fetcher(session: aiohttp.ClientSession) -> None:
        for doc_id, url in todo:
            async with session.get(url) as resp:
                resp.raise_for_status()
                fetched.append((doc_id, await resp.text()))

    async with aiohttp.ClientSession() as session:
        async with asyncio.TaskGroup() as tg:
            for _ in range(3):
                tg.create_task(fetcher(session))

    # stage 2: 2 parsers, in the pool
    to_parse = iter(fetched)
    parsed: list[tuple[int, dict[str, int]]] = []

    async def parser() -> None:
        for doc_id, text in to_parse:
            parsed.append((doc_id, await loop.run_in_executor(pool, parse, text)))

    async with asyncio.TaskGroup() as tg:
        for _ in range(2):
            tg.create_task(parser())

    # stage 3: one writer
    async with aiosqlite.connect(db_path) as db:
        for doc_id, counts in parsed:
            await db.executemany(
                "INSERT INTO counts (doc_id, word, n) VALUES (?, ?, ?)",
                [(doc_id, word, n) for word, n in counts.items()])
        await db.commit()
    return len(parsed)
