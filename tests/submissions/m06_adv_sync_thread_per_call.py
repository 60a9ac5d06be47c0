# expect: 6.4 failed "SyncItems started no thread when it was created"
# task: 6.4
# verdict: wrong
# clause: "`SyncItems(base_url, delay=0.05)` starts **an event loop of its own in a new thread** and opens **one `AsyncItems` in that loop, kept for the facade's whole life**"
# defect: Knowing asyncio.run fails on the notebook's thread, it starts a new thread per call that runs asyncio.run around open/call/close, so every call gets a new loop and a new ClientSession.
class SyncItems:
    """Blocking access to AsyncItems, for code that cannot await: `SyncItems(url).value(3)`."""

    def __init__(self, base_url: str, delay: float = 0.05) -> None:
        self._base_url, self._delay = base_url, delay
        self._closed = False

    def _call(self, method: str, *args: Any) -> Any:
        """Run AsyncItems.<method>(*args) with asyncio.run in a thread of its own; wait for it."""
        outcome: dict[str, Any] = {}

        async def main() -> Any:
            client = await AsyncItems.open(self._base_url, self._delay)
            try:
                return await getattr(client, method)(*args)
            finally:
                await client.close()

        def target() -> None:
            try:
                outcome["result"] = asyncio.run(main())  # no loop runs in this thread: allowed
            except BaseException as exc:
                outcome["error"] = exc

        thread = threading.Thread(target=target, name="SyncItems-call")
        thread.start()
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]

    def value(self, item_id: int) -> int:
        return self._call("value", item_id)

    def values(self, item_ids: list[int]) -> list[int]:
        return self._call("values", item_ids)

    def close(self) -> None:
        self._closed = True  # nothing stays open between calls

    def __enter__(self) -> "SyncItems":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sync_total(base_url: str, item_ids: list[int]) -> int:
    """Given (leave as is): plain synchronous code using the facade."""
    with SyncItems(base_url) as items:
        return sum(items.values(item_ids))
