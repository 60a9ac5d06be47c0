# expect: 5.2 failed "open_channel swallowed it"
# Written from the task text alone: Catches the body's exception to log it and does not re-raise, so @asynccontextmanager suppresses the ValueError.
@asynccontextmanager
async def open_channel(
    session: aiohttp.ClientSession, url: str, name: str
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """Join the chat room at `url` as `name`; always say goodbye and close the websocket."""
    ws = await session.ws_connect(url)
    await ws.send_str(f"{name} joined")
    try:
        yield ws
    except Exception as exc:
        print(f"{name}: the conversation ended with {exc!r}")
    finally:
        await ws.send_str(f"{name} left")
        await ws.close()
