# expect: 7.3 failed "waited for a slot instead of being turned away"
def shed_load(limit: int, retry_after: int = 1) -> Callable[..., Awaitable[web.StreamResponse]]:
    slots = asyncio.Semaphore(limit)

    @web.middleware
    async def middleware(request, handler):
        async with slots:  # queues the extra requests instead of shedding them
            return await handler(request)

    return middleware
