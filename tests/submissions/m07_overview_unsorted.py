# expect: 7.1 failed "but not sorted"
async def overview(request: web.Request) -> web.Response:
    session, limit = request.app[SESSION], request.app[TIMEOUT]
    names = list(request.app[BACKENDS])

    async def ask(url: str) -> Any:
        try:
            async with asyncio.timeout(limit):
                async with session.get(url) as resp:
                    if resp.status != 200:
                        return None
                    return (await resp.json())["value"]
        except (TimeoutError, aiohttp.ClientError):
            return None

    answers = await asyncio.gather(*(ask(request.app[BACKENDS][n]) for n in names))
    values = {n: v for n, v in zip(names, answers) if v is not None}
    missing = [n for n, v in zip(names, answers) if v is None]  # in the backends' order
    return web.json_response({"values": values, "missing": missing})
