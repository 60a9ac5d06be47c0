# expect: 2.3 failed "must make its own cache"
# Written from the task text alone. Defect: The cache lives in a module-level dict shared by every wrapper, so a second single_flight(other_fetch) returns the first wrapper's values for the same keys.
_results: dict[Hashable, Any] = {}
_in_flight: dict[Hashable, asyncio.Future] = {}


def single_flight(fetch: Callable[[Hashable], Awaitable[Any]]) -> Callable[[Hashable], Awaitable[Any]]:
    """Wrap `fetch(key)`: concurrent calls per key share one fetch; successes are kept."""

    async def get(key: Hashable) -> Any:
        if key in _results:
            return _results[key]
        if key in _in_flight:
            return await asyncio.shield(_in_flight[key])
        task = asyncio.ensure_future(fetch(key))
        _in_flight[key] = task
        try:
            value = await asyncio.shield(task)
        finally:
            del _in_flight[key]
        _results[key] = value
        return value

    return get
