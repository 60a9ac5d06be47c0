# expect: 2.3 failed "the failure was cached"
def single_flight(fetch):
    tasks = {}

    async def get(key):
        if key not in tasks:
            tasks[key] = asyncio.create_task(fetch(key))
        return await asyncio.shield(tasks[key])  # a failed task stays in the dict forever

    return get
