# expect: 7.1 passed "partial results with the missing names sorted"
# task: 7.1
# verdict: right
# clause: all satisfied
# defect: -
async def overview(request: web.Request) -> web.Response:
    """GET /overview: every backend at once, each with its own time limit; partial results."""
    session, backends = request.app[SESSION], request.app[BACKENDS]

    async def one(url: str) -> Any:
        async with session.get(url) as resp:
            if resp.status != 200:
                raise LookupError(resp.status)
            return (await resp.json())["value"]

    # Every backend starts now, so one deadline for the wait is the same limit for each.
    tasks = {name: asyncio.create_task(one(url)) for name, url in backends.items()}
    values: dict[str, Any] = {}
    missing: list[str] = []
    try:
        if tasks:
            await asyncio.wait(tasks.values(), timeout=request.app[TIMEOUT])
    finally:
        for task in tasks.values():
            task.cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
    for name, task in tasks.items():
        if not task.cancelled() and task.exception() is None:
            values[name] = task.result()
        else:
            missing.append(name)
    return web.json_response({"values": values, "missing": sorted(missing)})
