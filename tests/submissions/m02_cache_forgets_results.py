# expect: 2.3 failed "Keep finished results"
def single_flight(fetch):
    tasks = {}

    async def get(key):
        if key not in tasks:
            tasks[key] = asyncio.create_task(fetch(key))
        task = tasks[key]
        try:
            return await task
        finally:
            tasks.pop(key, None)  # forgets successes too: only in-flight calls are shared

    return get
