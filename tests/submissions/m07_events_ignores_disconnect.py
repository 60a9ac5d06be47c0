# expect: 7.5 failed "the upstream request went on"
async def events(request: web.Request) -> web.StreamResponse:
    params = {"lines": request.query["lines"], "interval": request.query["interval"]}
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await resp.prepare(request)
    async with request.app[SESSION].get(f"{request.app[UPSTREAM]}/stream", params=params) as upstream:
        while True:
            try:
                line = await upstream.content.readline()
            except asyncio.CancelledError:
                continue  # "the client is gone, but finish the stream anyway"
            if not line:
                break
            try:
                await resp.write(b"data: " + line.rstrip(b"\n") + b"\n\n")
            except (ConnectionResetError, asyncio.CancelledError):
                pass
    return resp
