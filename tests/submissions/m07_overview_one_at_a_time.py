# expect: 7.1 failed "in flight at once"
async def overview(request: web.Request) -> web.Response:
    session, limit = request.app[SESSION], request.app[TIMEOUT]
    values, missing = {}, []
    for name, url in request.app[BACKENDS].items():  # one backend after another
        try:
            async with asyncio.timeout(limit):
                async with session.get(url) as resp:
                    if resp.status == 200:
                        values[name] = (await resp.json())["value"]
                        continue
        except (TimeoutError, aiohttp.ClientError):
            pass
        missing.append(name)
    return web.json_response({"values": values, "missing": sorted(missing)})
