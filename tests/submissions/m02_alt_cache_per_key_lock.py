# expect: 2.3 passed "a second cache kept its own results"
def single_flight(fetch):
    # The lesson's pattern: a lock per key, and the cache test repeated inside the lock.
    results = {}
    locks = {}

    async def get(key):
        if key in results:
            return results[key]
        lock = locks.setdefault(key, asyncio.Lock())
        async with lock:
            if key not in results:
                results[key] = await fetch(key)  # an exception leaves nothing behind
            return results[key]

    return get
