# expect: 5.2 failed "the websocket stayed open"
# others: passed
@asynccontextmanager
async def open_channel(
    session: aiohttp.ClientSession, url: str, name: str
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    # No try/finally: when the body raises, nothing after `yield` runs.
    ws = await session.ws_connect(url)
    await ws.send_str(f"{name} joined")
    yield ws
    await ws.send_str(f"{name} left")
    await ws.close()
