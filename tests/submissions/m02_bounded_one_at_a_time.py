# expect: 2.1 failed "Never more than 1 request(s) were in flight"
async def bounded_gather(coros: list[Awaitable[Any]], limit: int) -> list[Any]:
    results = []
    for coro in coros:  # one after another: never more than 1, which is "at most limit"...
        try:
            results.append(await coro)
        except Exception as exc:
            results.append(exc)
    return results
