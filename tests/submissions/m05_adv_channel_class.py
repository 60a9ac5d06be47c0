# expect: 5.2 passed "5 websockets, all closed cleanly"
# Written from the task text alone: an unusual but valid answer.
class open_channel:  # noqa: N801  (used like a function: open_channel(session, url, name))
    """Join the chat room at `url` as `name`; always say goodbye and close the websocket."""

    def __init__(self, session: aiohttp.ClientSession, url: str, name: str) -> None:
        self._session, self._url, self._name = session, url, name
        self._ws: aiohttp.ClientWebSocketResponse | None = None

    async def __aenter__(self) -> aiohttp.ClientWebSocketResponse:
        ws = await self._session.ws_connect(self._url)
        try:
            await ws.send_str(f"{self._name} joined")
        except BaseException:
            await ws.close()
            raise
        self._ws = ws
        return ws

    async def __aexit__(self, exc_type, exc, tb) -> bool:
        ws, self._ws = self._ws, None
        assert ws is not None
        try:
            if not ws.closed:
                await ws.send_str(f"{self._name} left")
        finally:
            await ws.close()
        return False  # never suppress: exceptions and cancellation come out unchanged
