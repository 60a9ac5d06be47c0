# expect: 6.2 failed "the calls ran in batches of `limit`"
# task: 6.2
# verdict: wrong
# clause: "never more than `limit` at once, **and `limit` at once for as long as that many are left**"
# defect: Runs the items in chunks of `limit` with gather, so each batch waits for its slowest call and the number running drops below limit at the end of every batch.
async def blocking_map(fn: Callable[[Any], Any], items: list[Any], limit: int) -> list[Any]:
    """[fn(item) for item in items], run in threads, `limit` at a time."""
    loop = asyncio.get_running_loop()
    results: list[Any] = []
    with ThreadPoolExecutor(max_workers=limit) as pool:
        for start in range(0, len(items), limit):
            batch = items[start:start + limit]
            results.extend(await asyncio.gather(*(loop.run_in_executor(pool, fn, item)
                                                  for item in batch)))
    return results
