# expect: 7.5 failed "the upstream request went on"
async def events(request: web.Request) -> web.StreamResponse:
    params = {"lines": request.query["lines"], "interval": request.query["interval"]}
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await resp.prepare(request)
    lines: asyncio.Queue[bytes | None] = asyncio.Queue()

    async def pump() -> None:  # reads upstream in a task of its own, whatever the client does
        async with request.app[SESSION].get(f"{request.app[UPSTREAM]}/stream", params=params) as upstream:
            async for line in upstream.content:
                await lines.put(line)
        await lines.put(None)

    request.app.setdefault("pumps", set()).add(asyncio.create_task(pump()))
    while (line := await lines.get()) is not None:
        await resp.write(b"data: " + line.rstrip(b"\n") + b"\n\n")
    await resp.write_eof()
    return resp
