# expect: 7.1 failed "that backend's request went on"
# task: 7.1
# verdict: wrong
# clause: "when the time is up, **stop waiting for that backend**"
# defect: Uses asyncio.wait(timeout=...) and reports the late backends as missing, but never cancels them: their requests keep running (and holding connections of the shared session) after the answer has gone.
async def overview(request: web.Request) -> web.Response:
    """GET /overview: every backend at once, each with its own time limit; partial results."""
    session, backends = request.app[SESSION], request.app[BACKENDS]

    async def one(url: str) -> Any:
        async with session.get(url) as resp:
            resp.raise_for_status()
            return (await resp.json())["value"]

    tasks = {name: asyncio.create_task(one(url)) for name, url in backends.items()}
    if tasks:
        await asyncio.wait(tasks.values(), timeout=request.app[TIMEOUT])
    values: dict[str, Any] = {}
    missing: list[str] = []
    for name, task in tasks.items():
        if task.done() and not task.cancelled() and task.exception() is None:
            values[name] = task.result()
        else:
            missing.append(name)  # too late or failed: leave it be
    return web.json_response({"values": values, "missing": sorted(missing)})
