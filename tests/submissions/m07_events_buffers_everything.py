# expect: 7.5 failed "they were sent together"
async def events(request: web.Request) -> web.StreamResponse:
    params = {"lines": request.query["lines"], "interval": request.query["interval"]}
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await resp.prepare(request)
    async with request.app[SESSION].get(f"{request.app[UPSTREAM]}/stream", params=params) as upstream:
        text = await upstream.text()  # everything first, then the events
    for line in text.splitlines():
        await resp.write(f"data: {line}\n\n".encode())
    await resp.write_eof()
    return resp
