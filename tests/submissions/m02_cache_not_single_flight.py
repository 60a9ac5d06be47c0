# expect: 2.3 failed "Concurrent calls for the same key each called fetch"
# others: passed
def single_flight(fetch):
    results = {}

    async def get(key):
        # Caches finished results only: callers that arrive while the fetch runs all miss.
        if key not in results:
            results[key] = await fetch(key)
        return results[key]

    return get
