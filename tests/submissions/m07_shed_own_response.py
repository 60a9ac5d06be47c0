# expect: 7.3 failed "not the handler's own response"
def shed_load(limit: int, retry_after: int = 1) -> Callable[..., Awaitable[web.StreamResponse]]:
    in_flight = 0

    @web.middleware
    async def middleware(request, handler):
        nonlocal in_flight
        if in_flight >= limit:
            return web.Response(status=503, headers={"Retry-After": str(retry_after)})
        in_flight += 1
        try:
            await handler(request)
            return web.json_response({"ok": True})  # its own answer instead of the handler's
        finally:
            in_flight -= 1

    return middleware
