# expect: 6.4 passed "a second close() did nothing"
class SyncItems:
    """Another way: the thread runs asyncio.run(main()), where main opens the client and
    waits for a stop signal; calls are sent to that loop."""

    def __init__(self, base_url: str, delay: float = 0.05) -> None:
        ready = threading.Event()
        self._closed = False

        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self._client = await AsyncItems.open(base_url, delay)
            ready.set()
            try:
                await self._stop.wait()
            finally:
                await self._client.close()

        self._thread = threading.Thread(target=asyncio.run, args=(main(),), name='items loop')
        self._thread.start()
        ready.wait()

    def value(self, item_id: int) -> int:
        return asyncio.run_coroutine_threadsafe(self._client.value(item_id), self._loop).result()

    def values(self, item_ids: list[int]) -> list[int]:
        return asyncio.run_coroutine_threadsafe(self._client.values(item_ids), self._loop).result()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join()

    def __enter__(self) -> "SyncItems":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sync_total(base_url: str, item_ids: list[int]) -> int:
    """Given (leave as is): plain synchronous code using the facade."""
    with SyncItems(base_url) as items:
        return sum(items.values(item_ids))
