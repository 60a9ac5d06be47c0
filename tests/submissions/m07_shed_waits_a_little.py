# expect: 7.3 failed "waited before being turned away"
def shed_load(limit: int, retry_after: int = 1) -> Callable[..., Awaitable[web.StreamResponse]]:
    slots = asyncio.Semaphore(limit)

    @web.middleware
    async def middleware(request, handler):
        try:
            async with asyncio.timeout(0.3):  # waits up to 0.3 s for a slot first
                await slots.acquire()
        except TimeoutError:
            return web.Response(status=503, headers={"Retry-After": str(retry_after)})
        try:
            return await handler(request)
        finally:
            slots.release()

    return middleware
