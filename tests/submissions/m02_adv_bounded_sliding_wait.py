# expect: 2.1 failed "instead of returning"
# Written from the task text alone. Defect: -
async def bounded_gather(coros: list[Awaitable[Any]], limit: int) -> list[Any]:
    """Await all of `coros`, at most `limit` at a time; return the results in their order."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    results: list[Any] = [None] * len(coros)
    waiting = deque(enumerate(coros))
    running: dict[asyncio.Future, int] = {}
    try:
        while waiting or running:
            while waiting and len(running) < limit:
                index, coro = waiting.popleft()
                running[asyncio.ensure_future(coro)] = index
            done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for fut in done:
                results[running.pop(fut)] = fut.result()
    finally:
        for fut in running:
            fut.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
        for _, coro in waiting:  # never started: close them so they do not warn
            if asyncio.iscoroutine(coro):
                coro.close()
    return results
