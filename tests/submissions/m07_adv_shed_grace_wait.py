# expect: 7.3 failed "waited before being turned away"
# task: 7.3
# verdict: wrong
# clause: "answered **at once** with status 503 ... without calling `handler` and **without waiting for a free slot**"
# defect: Gives a full app a 0.15 s grace period (wait_for on the semaphore) before shedding, so every 503 is delayed and some requests wait for a slot.
def shed_load(limit: int, retry_after: int = 1) -> Callable[..., Awaitable[web.StreamResponse]]:
    """A middleware: at most `limit` requests in flight; the others get 503 + Retry-After."""
    slots = asyncio.Semaphore(limit)

    @web.middleware
    async def middleware(request: web.Request, handler) -> web.StreamResponse:
        try:
            await asyncio.wait_for(slots.acquire(), timeout=0.15)  # a slot may free up soon
        except TimeoutError:
            return web.Response(status=503, headers={"Retry-After": str(retry_after)})
        try:
            return await handler(request)
        finally:
            slots.release()

    return middleware
