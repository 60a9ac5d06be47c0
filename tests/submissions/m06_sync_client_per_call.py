# expect: 6.4 failed "aiohttp sessions for one value() and one values() call"
class SyncItems:
    """A loop in a thread, but a new AsyncItems (a new session) for every call."""

    def __init__(self, base_url: str, delay: float = 0.05) -> None:
        self._base, self._delay = base_url, delay
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._closed = False

    def _call(self, make: Callable[[AsyncItems], Any]) -> Any:
        async def job() -> Any:
            client = await AsyncItems.open(self._base, self._delay)
            try:
                return await make(client)
            finally:
                await client.close()

        return asyncio.run_coroutine_threadsafe(job(), self._loop).result()

    def value(self, item_id: int) -> int:
        return self._call(lambda c: c.value(item_id))

    def values(self, item_ids: list[int]) -> list[int]:
        return self._call(lambda c: c.values(item_ids))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
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
