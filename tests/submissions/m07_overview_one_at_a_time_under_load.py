# expect: 7.1 failed "Under load (12 requests at once) the slowest answer took"
_busy = asyncio.Lock()


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

    async with _busy:  # one /overview at a time: requests queue up under load
        answers = await asyncio.gather(*(ask(request.app[BACKENDS][n]) for n in names))
    values = {n: v for n, v in zip(names, answers) if v is not None}
    return web.json_response({"values": values, "missing": sorted(n for n, v in zip(names, answers) if v is None)})
