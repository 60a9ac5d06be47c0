# expect: 7.3 failed "share one count"
_in_flight = 0  # one count for every middleware


def shed_load(limit: int, retry_after: int = 1) -> Callable[..., Awaitable[web.StreamResponse]]:
    @web.middleware
    async def middleware(request, handler):
        global _in_flight
        if _in_flight >= limit:
            return web.Response(status=503, headers={"Retry-After": str(retry_after)})
        _in_flight += 1
        try:
            return await handler(request)
        finally:
            _in_flight -= 1

    return middleware
