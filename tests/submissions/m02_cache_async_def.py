# expect: 2.3 failed "should be a plain `def` that returns an async function"
async def single_flight(fetch):
    # An async def: single_flight(fetch) is now a coroutine, not the get function.
    tasks = {}

    async def get(key):
        if key not in tasks:
            tasks[key] = asyncio.create_task(fetch(key))
        return await tasks[key]

    return get
