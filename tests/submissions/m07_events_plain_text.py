# expect: 7.5 failed "expected 'text/event-stream'"
async def events(request: web.Request) -> web.StreamResponse:
    params = {"lines": request.query["lines"], "interval": request.query["interval"]}
    resp = web.StreamResponse(headers={"Cache-Control": "no-cache"})  # no Content-Type: event-stream
    await resp.prepare(request)
    async with request.app[SESSION].get(f"{request.app[UPSTREAM]}/stream", params=params) as upstream:
        async for line in upstream.content:
            await resp.write(b"data: " + line.rstrip(b"\n") + b"\n\n")
    await resp.write_eof()
    return resp
