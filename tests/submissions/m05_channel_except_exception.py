# expect: 5.2 failed "not an Exception, so `except Exception` misses it"
@asynccontextmanager
async def open_channel(
    session: aiohttp.ClientSession, url: str, name: str
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    # Cleans up on a normal exit and on errors, but CancelledError is not an Exception.
    ws = await session.ws_connect(url)
    await ws.send_str(f"{name} joined")
    try:
        yield ws
    except Exception:
        await ws.send_str(f"{name} left")
        await ws.close()
        raise
    await ws.send_str(f"{name} left")
    await ws.close()
