# expect: 6.4 failed "A second close() raised"
# task: 6.4
# verdict: wrong
# clause: "`close()` closes the async client ..., stops the loop and waits until its thread has ended; **a second `close()` does nothing**"
# defect: close() keeps no closed flag: a second call hands client.close() to the already closed loop and raises RuntimeError('Event loop is closed') (leaving an unawaited coroutine).
class SyncItems:
    """Blocking access to AsyncItems, for code that cannot await: `SyncItems(url).value(3)`."""

    def __init__(self, base_url: str, delay: float = 0.05) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="SyncItems-loop")
        self._thread.start()
        self._client = self._run(AsyncItems.open(base_url, delay))

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def value(self, item_id: int) -> int:
        return self._run(self._client.value(item_id))

    def values(self, item_ids: list[int]) -> list[int]:
        return self._run(self._client.values(item_ids))

    def close(self) -> None:
        self._run(self._client.close())
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
