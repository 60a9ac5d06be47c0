# expect: 7.5 failed "expected one per upstream line"
async def events(request: web.Request) -> web.StreamResponse:
    params = {"lines": request.query["lines"], "interval": request.query["interval"]}
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await resp.prepare(request)
    async with request.app[SESSION].get(f"{request.app[UPSTREAM]}/stream", params=params) as upstream:
        async for line in upstream.content:
            await resp.write(b"data: " + line)  # no empty line after each event
    await resp.write_eof()
    return resp
