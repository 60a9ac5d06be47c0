# expect: 7.5 failed "expected 'no-cache'"
# task: 7.5
# verdict: wrong
# clause: "answer with a `web.StreamResponse` with the headers `Content-Type: text/event-stream` **and `Cache-Control: no-cache`**"
# defect: Sets the content type through resp.content_type but never sends Cache-Control: no-cache.
async def events(request: web.Request) -> web.StreamResponse:
    """GET /events: the upstream lines as server-sent events; stop when the client leaves."""
    params = {"lines": request.query.get("lines", "10"), "interval": request.query.get("interval", "0.1")}
    resp = web.StreamResponse()
    resp.content_type = "text/event-stream"
    async with request.app[SESSION].get(f"{request.app[UPSTREAM]}/stream", params=params) as upstream:
        await resp.prepare(request)
        async for raw in upstream.content:
            await resp.write(f"data: {raw.decode().rstrip(chr(10)).rstrip(chr(13))}\n\n".encode())
    await resp.write_eof()
    return resp
