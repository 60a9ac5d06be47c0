# expect: 6.4 failed "Used from a thread that runs an event loop"
# task: 6.4
# verdict: wrong
# clause: "starts an event loop of its own **in a new thread**" / "It must work when called from the thread of a running event loop (as in a notebook cell)"
# defect: Keeps one asyncio.Runner (the lesson's "one loop for several calls") and runs each call on the caller's thread, so it works from plain threads (one at a time, under a lock) but raises RuntimeError from a thread that already runs a loop.
class SyncItems:
    """Blocking access to AsyncItems, for code that cannot await: `SyncItems(url).value(3)`."""

    def __init__(self, base_url: str, delay: float = 0.05) -> None:
        self._lock = threading.Lock()  # a Runner's loop may only run in one thread at a time
        self._closed = False
        self._runner = asyncio.Runner()
        try:
            self._client = self._run(AsyncItems.open(base_url, delay))
        except BaseException:
            self._runner.close()
            raise

    def _run(self, coro: Any) -> Any:
        with self._lock:
            return self._runner.run(coro)

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
            self._runner.close()

    def __enter__(self) -> "SyncItems":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sync_total(base_url: str, item_ids: list[int]) -> int:
    """Given (leave as is): plain synchronous code using the facade."""
    with SyncItems(base_url) as items:
        return sum(items.values(item_ids))
