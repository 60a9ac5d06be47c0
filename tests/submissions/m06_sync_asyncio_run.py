# expect: 6.4 failed "Used from a thread that runs an event loop"
class SyncItems:
    """asyncio.run for every call: fails where a loop is already running."""

    def __init__(self, base_url: str, delay: float = 0.05) -> None:
        self._base, self._delay = base_url, delay

    def _run(self, make: Callable[[AsyncItems], Any]) -> Any:
        async def job() -> Any:
            client = await AsyncItems.open(self._base, self._delay)
            try:
                return await make(client)
            finally:
                await client.close()

        return asyncio.run(job())

    def value(self, item_id: int) -> int:
        return self._run(lambda c: c.value(item_id))

    def values(self, item_ids: list[int]) -> list[int]:
        return self._run(lambda c: c.values(item_ids))

    def close(self) -> None:
        pass

    def __enter__(self) -> "SyncItems":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sync_total(base_url: str, item_ids: list[int]) -> int:
    """Given (leave as is): plain synchronous code using the facade."""
    with SyncItems(base_url) as items:
        return sum(items.values(item_ids))
