# expect: 6.4 failed "that SyncItems started were still running"
# task: 6.4
# verdict: wrong
# clause: "`close()` closes the async client (in its loop), stops the loop **and waits until its thread has ended**"
# defect: close() closes the client and asks the loop to stop, but never joins the (daemon) loop thread, so the thread may still be running when close() returns and the loop is never closed.
class SyncItems:
    """Blocking access to AsyncItems, for code that cannot await: `SyncItems(url).value(3)`."""

    def __init__(self, base_url: str, delay: float = 0.05) -> None:
        self._closed = False
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="SyncItems-loop",
                                        daemon=True)  # a daemon cannot keep the program alive
        self._thread.start()
        self._client = self._run(AsyncItems.open(base_url, delay))

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def value(self, item_id: int) -> int:
        return self._run(self._client.value(item_id))

    def values(self, item_ids: list[int]) -> list[int]:
        return self._run(self._client.values(item_ids))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._run(self._client.close())
        self._loop.call_soon_threadsafe(self._loop.stop)

    def __enter__(self) -> "SyncItems":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sync_total(base_url: str, item_ids: list[int]) -> int:
    """Given (leave as is): plain synchronous code using the facade."""
    with SyncItems(base_url) as items:
        return sum(items.values(item_ids))
