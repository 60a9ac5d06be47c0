# expect: 5.2 failed "not an Exception, so `except Exception` misses it"
# Written from the task text alone: Says goodbye in `except Exception` and after the yield, but CancelledError is not an Exception, so a cancelled body leaves without "left" and without closing the websocket.
@asynccontextmanager
async def open_channel(
    session: aiohttp.ClientSession, url: str, name: str
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """Join the chat room at `url` as `name`; always say goodbye and close the websocket."""
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
