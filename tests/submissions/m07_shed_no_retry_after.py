# expect: 7.3 failed "Retry-After None"
def shed_load(limit: int, retry_after: int = 1) -> Callable[..., Awaitable[web.StreamResponse]]:
    in_flight = 0

    @web.middleware
    async def middleware(request, handler):
        nonlocal in_flight
        if in_flight >= limit:
            return web.Response(status=503)  # no Retry-After
        in_flight += 1
        try:
            return await handler(request)
        finally:
            in_flight -= 1

    return middleware
