# expect: 7.1 failed "waited for the slow backend"
async def overview(request: web.Request) -> web.Response:
    session = request.app[SESSION]
    names = list(request.app[BACKENDS])

    async def ask(url: str) -> Any:
        try:
            async with session.get(url) as resp:  # no time limit: waits for the slowest
                if resp.status != 200:
                    return None
                return (await resp.json())["value"]
        except aiohttp.ClientError:
            return None

    answers = await asyncio.gather(*(ask(request.app[BACKENDS][n]) for n in names))
    values = {n: v for n, v in zip(names, answers) if v is not None}
    return web.json_response({"values": values, "missing": sorted(n for n, v in zip(names, answers) if v is None)})
