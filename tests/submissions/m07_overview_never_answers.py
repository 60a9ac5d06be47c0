# expect: 7.1 timed out "got no answer within"
async def overview(request: web.Request) -> web.Response:
    await asyncio.Event().wait()  # waits for something that never happens: no answer, ever
    return web.json_response({})
