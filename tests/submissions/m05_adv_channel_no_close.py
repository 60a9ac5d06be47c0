# expect: 5.2 failed "the websocket was still open"
# Written from the task text alone: Says goodbye in `finally` but never closes the websocket, leaving it to be dropped when the session closes.
@asynccontextmanager
async def open_channel(
    session: aiohttp.ClientSession, url: str, name: str
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """Join the chat room at `url` as `name`; always say goodbye and close the websocket."""
    ws = await session.ws_connect(url)
    await ws.send_str(f"{name} joined")
    try:
        yield ws
    finally:
        await ws.send_str(f"{name} left")
