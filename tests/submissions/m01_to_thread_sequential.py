# expect: 1.4 failed "ran in a thread, one after"
async def total_value(urls: list[str]) -> int:
    # Frees the loop, but still one request after another.
    return await asyncio.to_thread(total_value_sync, urls)
