# expect: 6.4 failed "With two facades open at once"
_loop: asyncio.AbstractEventLoop | None = None  # one loop for every facade
_thread: threading.Thread | None = None


class SyncItems:
    """Every facade shares one module-level loop, and close() stops it for all of them."""

    def __init__(self, base_url: str, delay: float = 0.05) -> None:
        global _loop, _thread
        if _loop is None or _loop.is_closed():
            _loop = asyncio.new_event_loop()
            _thread = threading.Thread(target=_loop.run_forever, daemon=True)
            _thread.start()
        self._closed = False
        self._client = asyncio.run_coroutine_threadsafe(AsyncItems.open(base_url, delay), _loop).result()

    def value(self, item_id: int) -> int:
        return asyncio.run_coroutine_threadsafe(self._client.value(item_id), _loop).result()

    def values(self, item_ids: list[int]) -> list[int]:
        return asyncio.run_coroutine_threadsafe(self._client.values(item_ids), _loop).result()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        asyncio.run_coroutine_threadsafe(self._client.close(), _loop).result()
        _loop.call_soon_threadsafe(_loop.stop)
        _thread.join()
        _loop.close()

    def __enter__(self) -> "SyncItems":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sync_total(base_url: str, item_ids: list[int]) -> int:
    """Given (leave as is): plain synchronous code using the facade."""
    with SyncItems(base_url) as items:
        return sum(items.values(item_ids))
