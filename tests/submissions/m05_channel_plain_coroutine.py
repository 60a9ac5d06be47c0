# expect: 5.2 failed "plain coroutine function"
async def open_channel(
    session: aiohttp.ClientSession, url: str, name: str
) -> aiohttp.ClientWebSocketResponse:
    # Returns the websocket; `async with open_channel(...)` cannot use a coroutine.
    ws = await session.ws_connect(url)
    await ws.send_str(f"{name} joined")
    return ws
