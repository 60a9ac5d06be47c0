# expect: 7.5 passed "no task left"
async def events(request: web.Request) -> web.StreamResponse:
    upstream = await request.app[SESSION].get(
        f"{request.app[UPSTREAM]}/stream",
        params={"lines": request.query["lines"], "interval": request.query["interval"]})
    try:
        resp = web.StreamResponse()
        resp.content_type = "text/event-stream"
        resp.headers["Cache-Control"] = "no-cache"
        await resp.prepare(request)
        while line := await upstream.content.readline():
            await resp.write(f"data: {line.decode().rstrip()}\n\n".encode())
        await resp.write_eof()
        return resp
    finally:
        upstream.release()  # also when cancelled: the upstream connection goes back at once
