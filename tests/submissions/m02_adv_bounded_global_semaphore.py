# expect: 2.1 failed "a semaphore kept from an earlier call"
# Written from the task text alone. Defect: The semaphore is created once in a module global on the first call, so later calls reuse the first call's limit (and share slots with any concurrent call).
_semaphore: asyncio.Semaphore | None = None


async def bounded_gather(coros: list[Awaitable[Any]], limit: int) -> list[Any]:
    """Await all of `coros`, at most `limit` at a time; return the results in their order."""
    global _semaphore
    if _semaphore is None:
        _semaphore = asyncio.Semaphore(limit)

    async def guarded(coro: Awaitable[Any]) -> Any:
        async with _semaphore:
            return await coro

    # (adapted: failed coroutines give their exception, as the task now asks)
    return list(await asyncio.gather(*(guarded(c) for c in coros), return_exceptions=True))
