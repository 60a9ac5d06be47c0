# expect: 6.4 failed "With two facades open at once"
# task: 6.4
# verdict: wrong
# clause: "starts **an event loop of its own** in a new thread" / "and with several facades open at once"
# defect: All facades share one class-level loop thread; closing one facade stops and closes that shared loop, so another facade still open fails with RuntimeError on its next call.
class SyncItems:
    """Blocking access to AsyncItems, for code that cannot await: `SyncItems(url).value(3)`."""

    _loop: asyncio.AbstractEventLoop | None = None  # one background loop for every facade
    _thread: threading.Thread | None = None
    _start_lock = threading.Lock()

    def __init__(self, base_url: str, delay: float = 0.05) -> None:
        with SyncItems._start_lock:
            if SyncItems._loop is None or SyncItems._loop.is_closed():
                SyncItems._loop = asyncio.new_event_loop()
                SyncItems._thread = threading.Thread(target=SyncItems._loop.run_forever,
                                                     name="SyncItems-loop")
                SyncItems._thread.start()
        self._closed = False
        self._client = self._run(AsyncItems.open(base_url, delay))

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, SyncItems._loop).result()

    def value(self, item_id: int) -> int:
        return self._run(self._client.value(item_id))

    def values(self, item_ids: list[int]) -> list[int]:
        return self._run(self._client.values(item_ids))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        loop, thread = SyncItems._loop, SyncItems._thread
        try:
            self._run(self._client.close())
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            loop.close()

    def __enter__(self) -> "SyncItems":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sync_total(base_url: str, item_ids: list[int]) -> int:
    """Given (leave as is): plain synchronous code using the facade."""
    with SyncItems(base_url) as items:
        return sum(items.values(item_ids))
