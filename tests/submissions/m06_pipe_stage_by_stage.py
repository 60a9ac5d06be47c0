# expect: 6.5 failed "the stages ran one after another"
# Every document is fetched first, then all are parsed, then all are stored.
async def pipeline(
    urls: dict[int, str], db_path: str, pool: Executor,
    parse: Callable[[str], dict[str, int]] = workloads.word_counts,
) -> int:
    loop = asyncio.get_running_loop()
    slots = asyncio.Semaphore(3)
    async with aiohttp.ClientSession() as session:

        async def fetch(url: str) -> str:
            async with slots, session.get(url) as resp:
                resp.raise_for_status()
                return await resp.text()

        texts = await asyncio.gather(*(fetch(url) for url in urls.values()))
    counts = await asyncio.gather(*(loop.run_in_executor(pool, parse, t) for t in texts))
    async with aiosqlite.connect(db_path) as db:
        for doc_id, words in zip(urls, counts):
            await db.executemany("INSERT INTO counts (doc_id, word, n) VALUES (?, ?, ?)",
                                 [(doc_id, w, n) for w, n in words.items()])
        await db.commit()
    return len(urls)
