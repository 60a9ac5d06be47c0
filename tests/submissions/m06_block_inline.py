# expect: 6.2 failed "blocked the event loop"
async def blocking_map(fn: Callable[[Any], Any], items: list[Any], limit: int) -> list[Any]:
    # The blocking calls run right in the coroutine: the loop waits for each one.
    return [fn(item) for item in items]
