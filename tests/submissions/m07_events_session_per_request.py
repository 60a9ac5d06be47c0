# expect: 7.5 failed "opened 4 ClientSession(s) of its own"
async def events(request: web.Request) -> web.StreamResponse:
    params = {"lines": request.query["lines"], "interval": request.query["interval"]}
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await resp.prepare(request)
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{request.app[UPSTREAM]}/stream", params=params) as upstream:
            async for line in upstream.content:
                await resp.write(b"data: " + line.rstrip(b"\n") + b"\n\n")
    await resp.write_eof()
    return resp
