# expect: 2.1 failed "in batches"
async def bounded_gather(coros: list[Awaitable[Any]], limit: int) -> list[Any]:
    # Batches of `limit`: the next batch waits for the slowest of the previous one.
    results = []
    for i in range(0, len(coros), limit):
        results += await asyncio.gather(*coros[i:i + limit])
    return results
