# expect: 2.3 passed "a second cache kept its own results"
# An unusual but right answer, written from the task text alone.
def single_flight(fetch: Callable[[Hashable], Awaitable[Any]]) -> Callable[[Hashable], Awaitable[Any]]:
    """Wrap `fetch(key)`: concurrent calls per key share one fetch; successes are kept."""
    done: dict[Hashable, Any] = {}
    waiting: dict[Hashable, asyncio.Future] = {}

    async def get(key: Hashable) -> Any:
        if key in done:
            return done[key]
        if key in waiting:  # somebody is fetching this key right now: wait for that
            return await asyncio.shield(waiting[key])
        future = asyncio.get_running_loop().create_future()
        waiting[key] = future
        try:
            value = await fetch(key)
        except BaseException as exc:
            del waiting[key]
            if isinstance(exc, asyncio.CancelledError):
                future.cancel()
            else:
                future.set_exception(exc)
                future.exception()  # mark retrieved: no "never retrieved" warning if nobody waited
            raise
        del waiting[key]
        done[key] = value
        future.set_result(value)
        return value

    return get
