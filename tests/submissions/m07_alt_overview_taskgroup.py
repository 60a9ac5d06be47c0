# expect: 7.1 passed "partial results"
async def overview(request: web.Request) -> web.Response:
    session = request.app[SESSION]
    results: dict[str, Any] = {}

    async def ask(name: str, url: str) -> None:
        try:
            async with session.get(url, timeout=aiohttp.ClientTimeout(total=request.app[TIMEOUT])) as resp:
                if resp.status == 200:
                    results[name] = (await resp.json())["value"]
        except (TimeoutError, aiohttp.ClientError):
            pass

    async with asyncio.TaskGroup() as tg:
        for name, url in request.app[BACKENDS].items():
            tg.create_task(ask(name, url))
    missing = sorted(set(request.app[BACKENDS]) - set(results))
    return web.json_response({"values": results, "missing": missing})
