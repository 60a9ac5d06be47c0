# expect: 5.2 failed "open_channel swallowed it"
@asynccontextmanager
async def open_channel(
    session: aiohttp.ClientSession, url: str, name: str
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    # Always cleans up, but hides the body's exception from the caller.
    ws = await session.ws_connect(url)
    await ws.send_str(f"{name} joined")
    try:
        yield ws
    except Exception as exc:
        print("channel error:", exc)
    finally:
        await ws.send_str(f"{name} left")
        await ws.close()
