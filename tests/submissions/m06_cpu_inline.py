# expect: 6.1 failed "blocked the event loop"
_pool: ProcessPoolExecutor | None = None


async def cpu_map(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    # CPU work right in the coroutine: the loop is stuck while it computes.
    return [fn(item) for item in items]
