# expect: 7.3 failed "were never given back"
def shed_load(limit: int, retry_after: int = 1) -> Callable[..., Awaitable[web.StreamResponse]]:
    in_flight = 0

    @web.middleware
    async def middleware(request, handler):
        nonlocal in_flight
        if in_flight >= limit:
            return web.Response(status=503, headers={"Retry-After": str(retry_after)})
        in_flight += 1
        response = await handler(request)
        in_flight -= 1  # never reached when the handler raises: the slot is lost
        return response

    return middleware
