# expect: 5.2 failed "close its own websocket"
class open_channel:  # noqa: N801
    # Keeps the websocket in a class attribute: every channel shares one slot.
    ws: aiohttp.ClientWebSocketResponse | None = None

    def __init__(self, session: aiohttp.ClientSession, url: str, name: str) -> None:
        self.session, self.url, self.name = session, url, name

    async def __aenter__(self) -> aiohttp.ClientWebSocketResponse:
        open_channel.ws = await self.session.ws_connect(self.url)
        await open_channel.ws.send_str(f"{self.name} joined")
        return open_channel.ws

    async def __aexit__(self, *exc: object) -> bool:
        ws = open_channel.ws
        try:
            if ws is not None and not ws.closed:
                await ws.send_str(f"{self.name} left")
        finally:
            if ws is not None:
                await ws.close()
        return False
