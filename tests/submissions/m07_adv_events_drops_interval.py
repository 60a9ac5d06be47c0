# expect: 7.5 failed "the same two query parameters"
# task: 7.5
# verdict: wrong
# clause: "open `GET {request.app[UPSTREAM]}/stream?lines=N&interval=S` (**the same two query parameters**)"
# defect: Forwards only `lines` to the upstream and leaves out `interval`, so the upstream streams at its own default pace instead of the client's.
async def events(request: web.Request) -> web.StreamResponse:
    """GET /events: the upstream lines as server-sent events; stop when the client leaves."""
    lines = int(request.query.get("lines", "10"))
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    async with request.app[SESSION].get(f"{request.app[UPSTREAM]}/stream?lines={lines}") as upstream:
        await resp.prepare(request)
        async for raw in upstream.content:
            await resp.write(b"data: " + raw.rstrip(b"\r\n") + b"\n\n")
    await resp.write_eof()
    return resp
