# expect: 7.3 failed "more than the bound"
def shed_load(limit: int, retry_after: int = 1) -> Callable[..., Awaitable[web.StreamResponse]]:
    in_flight = 0

    @web.middleware
    async def middleware(request, handler):
        nonlocal in_flight
        if in_flight > limit:  # lets limit + 1 in
            return web.Response(status=503, headers={"Retry-After": str(retry_after)})
        in_flight += 1
        try:
            return await handler(request)
        finally:
            in_flight -= 1

    return middleware
