# expect: 6.4 failed "wait for them with `.result()`"
class SyncItems:
    """value() and values() hand back the concurrent Future instead of waiting for it."""

    def __init__(self, base_url: str, delay: float = 0.05) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._closed = False
        self._client = asyncio.run_coroutine_threadsafe(AsyncItems.open(base_url, delay), self._loop).result()

    def value(self, item_id: int) -> int:
        return asyncio.run_coroutine_threadsafe(self._client.value(item_id), self._loop)

    def values(self, item_ids: list[int]) -> list[int]:
        return asyncio.run_coroutine_threadsafe(self._client.values(item_ids), self._loop)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        asyncio.run_coroutine_threadsafe(self._client.close(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def __enter__(self) -> "SyncItems":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sync_total(base_url: str, item_ids: list[int]) -> int:
    """Given (leave as is): plain synchronous code using the facade."""
    with SyncItems(base_url) as items:
        return sum(items.values(item_ids))
