# expect: 1.2 passed "were skipped"
# An unusual but right answer, written from the task text alone.
async def first_success(urls: list[str]) -> dict:
    """Return the JSON of the first URL that answers successfully; cancel the rest."""
    if not urls:
        raise ValueError("no URLs given")
    outcomes: asyncio.Queue = asyncio.Queue()

    async with aiohttp.ClientSession() as session:

        async def attempt(url: str) -> None:
            try:
                outcomes.put_nowait((True, await fetch_json(session, url)))
            except aiohttp.ClientError as exc:  # 4xx/5xx or a broken connection: not a winner
                outcomes.put_nowait((False, exc))

        tasks = [asyncio.create_task(attempt(url)) for url in urls]
        try:
            errors = []
            for _ in tasks:
                ok, value = await outcomes.get()
                if ok:
                    return value
                errors.append(value)
            raise errors[-1]
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
