# expect: 7.3 failed "Retry-After '1'; expected '2'"
def shed_load(limit: int, retry_after: int = 1) -> Callable[..., Awaitable[web.StreamResponse]]:
    in_flight = 0

    @web.middleware
    async def middleware(request, handler):
        nonlocal in_flight
        if in_flight >= limit:
            return web.Response(status=503, headers={"Retry-After": "1"})  # ignores retry_after
        in_flight += 1
        try:
            return await handler(request)
        finally:
            in_flight -= 1

    return middleware
