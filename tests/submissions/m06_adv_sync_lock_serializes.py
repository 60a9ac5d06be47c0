# expect: 6.4 failed "made them wait for each other"
# task: 6.4
# verdict: wrong
# clause: "also from several threads at once sharing one facade" / "the three threads' calls were in flight at the same time ...: **one thread's call does not hold up the others**"
# defect: Guards every call with one threading.Lock "for thread safety", so calls from several threads sharing the facade run one after another instead of together on the loop.
class SyncItems:
    """Blocking access to AsyncItems, for code that cannot await: `SyncItems(url).value(3)`."""

    def __init__(self, base_url: str, delay: float = 0.05) -> None:
        self._lock = threading.Lock()  # one caller at a time
        self._closed = False
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="SyncItems-loop")
        self._thread.start()
        self._client = self._run(AsyncItems.open(base_url, delay))

    def _run(self, coro: Any) -> Any:
        with self._lock:
            return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def value(self, item_id: int) -> int:
        return self._run(self._client.value(item_id))

    def values(self, item_ids: list[int]) -> list[int]:
        return self._run(self._client.values(item_ids))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._run(self._client.close())
        finally:
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
