# expect: 2.3 failed "not whether the stored value is truthy"
def single_flight(fetch):
    results = {}
    locks = {}

    async def get(key):
        if results.get(key):  # a falsy result (None) counts as "not cached"
            return results[key]
        lock = locks.setdefault(key, asyncio.Lock())
        async with lock:
            if not results.get(key):
                results[key] = await fetch(key)
            return results[key]

    return get
