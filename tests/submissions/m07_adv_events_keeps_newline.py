# expect: 7.5 failed "expected exactly"
# task: 7.5
# verdict: wrong
# clause: "write one event: `data: <the line, **without its newline**>` followed by an empty line (`\n\n`)"
# defect: Writes each upstream line with its trailing newline still on, so every event is "data: line\n\n\n" (an extra blank line, the data not as specified).
async def events(request: web.Request) -> web.StreamResponse:
    """GET /events: the upstream lines as server-sent events; stop when the client leaves."""
    params = {"lines": request.query.get("lines", "10"), "interval": request.query.get("interval", "0.1")}
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    async with request.app[SESSION].get(f"{request.app[UPSTREAM]}/stream", params=params) as upstream:
        await resp.prepare(request)
        async for raw in upstream.content:
            await resp.write(f"data: {raw.decode()}\n\n".encode())
    await resp.write_eof()
    return resp
