# expect: 2.3 failed "it raised LookupError), the next get(('ghost', 1))"
def single_flight(fetch):
    tasks = {}

    async def get(key):
        if key not in tasks:
            tasks[key] = asyncio.create_task(fetch(key))
        try:
            return await tasks[key]
        except aiohttp.ClientError:  # other exceptions stay cached
            tasks.pop(key, None)
            raise

    return get
