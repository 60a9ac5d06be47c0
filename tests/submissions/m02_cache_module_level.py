# expect: 2.3 failed "Each call of single_flight must make its own cache"
tasks = {}  # one dict for every cache


def single_flight(fetch):
    def forget_failure(key, task):
        if tasks.get(key) is task and (task.cancelled() or task.exception() is not None):
            del tasks[key]

    async def get(key):
        if key not in tasks:
            tasks[key] = asyncio.create_task(fetch(key))
            tasks[key].add_done_callback(lambda t: forget_failure(key, t))
        return await tasks[key]

    return get
