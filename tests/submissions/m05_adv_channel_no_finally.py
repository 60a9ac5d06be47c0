# expect: 5.2 failed "the code after `yield` never ran"
# Written from the task text alone: The goodbye and close come after a bare `yield` with no try/finally, so they run only when the body ends normally.
@asynccontextmanager
async def open_channel(
    session: aiohttp.ClientSession, url: str, name: str
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """Join the chat room at `url` as `name`; always say goodbye and close the websocket."""
    ws = await session.ws_connect(url)
    await ws.send_str(f"{name} joined")
    yield ws
    await ws.send_str(f"{name} left")
    await ws.close()
