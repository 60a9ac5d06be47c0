# expect: 6.4 passed "a second close() did nothing"
# task: 6.4
# verdict: right
# clause: all satisfied
# defect: -
import concurrent.futures


class SyncItems:
    """Blocking access to AsyncItems, for code that cannot await: `SyncItems(url).value(3)`."""

    def __init__(self, base_url: str, delay: float = 0.05) -> None:
        self._closed = False
        ready: concurrent.futures.Future = concurrent.futures.Future()
        # the whole life of the loop is one asyncio.run() in the facade's own thread
        self._thread = threading.Thread(target=self._main, args=(base_url, delay, ready),
                                        name="SyncItems-loop")
        self._thread.start()
        try:
            ready.result()  # the client is open (or opening it failed)
        except BaseException:
            self._thread.join()
            raise

    def _main(self, base_url: str, delay: float, ready: concurrent.futures.Future) -> None:
        try:
            asyncio.run(self._serve(base_url, delay, ready))
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc)

    async def _serve(self, base_url: str, delay: float, ready: concurrent.futures.Future) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        client = await AsyncItems.open(base_url, delay)
        try:
            self._client = client
            ready.set_result(None)
            await self._stop.wait()  # serve calls until close()
        finally:
            await client.close()

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def value(self, item_id: int) -> int:
        return self._call(self._client.value(item_id))

    def values(self, item_ids: list[int]) -> list[int]:
        return self._call(self._client.values(item_ids))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._loop.call_soon_threadsafe(self._stop.set)  # _serve closes the client, asyncio.run the loop
        self._thread.join()

    def __enter__(self) -> "SyncItems":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sync_total(base_url: str, item_ids: list[int]) -> int:
    """Given (leave as is): plain synchronous code using the facade."""
    with SyncItems(base_url) as items:
        return sum(items.values(item_ids))
