# expect: 2.3 failed "a coroutine runs only once"
def single_flight(fetch):
    pending = {}

    async def get(key):
        if key not in pending:
            pending[key] = fetch(key)  # the coroutine object, not a task
        return await pending[key]

    return get
