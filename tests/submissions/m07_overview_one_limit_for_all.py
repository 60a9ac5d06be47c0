# expect: 7.1 failed "A time limit around all the backends together"
async def overview(request: web.Request) -> web.Response:
    session = request.app[SESSION]
    names = list(request.app[BACKENDS])

    async def ask(url: str) -> Any:
        async with session.get(url) as resp:
            if resp.status != 200:
                return None
            return (await resp.json())["value"]

    try:
        async with asyncio.timeout(request.app[TIMEOUT]):  # one limit around all of them
            answers = await asyncio.gather(*(ask(request.app[BACKENDS][n]) for n in names), return_exceptions=True)
    except TimeoutError:
        answers = [None] * len(names)
    answers = [None if isinstance(a, BaseException) else a for a in answers]
    values = {n: v for n, v in zip(names, answers) if v is not None}
    return web.json_response({"values": values, "missing": sorted(n for n, v in zip(names, answers) if v is None)})
