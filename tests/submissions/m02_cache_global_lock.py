# expect: 2.3 failed "one at a time"
def single_flight(fetch):
    results = {}
    lock = asyncio.Lock()  # one lock for every key: different keys wait for each other

    async def get(key):
        async with lock:
            if key not in results:
                results[key] = await fetch(key)
            return results[key]

    return get
