# expect: 6.5 failed "never saw two document requests at once"
# Each document goes through the three steps before the next one starts.
async def pipeline(
    urls: dict[int, str], db_path: str, pool: Executor,
    parse: Callable[[str], dict[str, int]] = workloads.word_counts,
) -> int:
    loop = asyncio.get_running_loop()
    async with aiohttp.ClientSession() as session, aiosqlite.connect(db_path) as db:
        for doc_id, url in urls.items():
            async with session.get(url) as resp:
                text = await resp.text()
            words = await loop.run_in_executor(pool, parse, text)
            await db.executemany("INSERT INTO counts (doc_id, word, n) VALUES (?, ?, ?)",
                                 [(doc_id, w, n) for w, n in words.items()])
            await db.commit()
    return len(urls)
