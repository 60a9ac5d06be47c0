# expect: 7.3 failed "handler raised web.HTTPNotFound, the next ones got"
def shed_load(limit: int, retry_after: int = 1) -> Callable[..., Awaitable[web.StreamResponse]]:
    in_flight = 0

    @web.middleware
    async def middleware(request, handler):
        nonlocal in_flight
        if in_flight >= limit:
            return web.Response(status=503, headers={"Retry-After": str(retry_after)})
        in_flight += 1
        try:
            response = await handler(request)
        except web.HTTPException:
            raise  # passed on as it is, and its slot with it
        except BaseException:
            in_flight -= 1
            raise
        in_flight -= 1
        return response

    return middleware
