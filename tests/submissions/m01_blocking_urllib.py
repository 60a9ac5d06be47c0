# expect: 1.4 failed "blocked the event loop"
async def total_value(urls: list[str]) -> int:
    # An async def that still calls the blocking function.
    return total_value_sync(urls)
