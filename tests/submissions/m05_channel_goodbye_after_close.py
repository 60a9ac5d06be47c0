# expect: 5.2 failed "Say goodbye before closing"
@asynccontextmanager
async def open_channel(
    session: aiohttp.ClientSession, url: str, name: str
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    # Closes first, then tries to say goodbye on the closed websocket.
    ws = await session.ws_connect(url)
    await ws.send_str(f"{name} joined")
    try:
        yield ws
    finally:
        await ws.close()
        await ws.send_str(f"{name} left")
