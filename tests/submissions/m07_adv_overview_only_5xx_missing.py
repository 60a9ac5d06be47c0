# expect: 7.1 failed "a 404 too, not only a 5xx"
# task: 7.1
# verdict: wrong
# clause: "A backend that ran out of time, answered another status (**a 404 as well as a 500**), or whose connection failed, is **missing**"
# defect: Treats only server errors (5xx) as missing; a 404 is kept as a value (None, since its body has no "value") instead of being listed as missing.
async def overview(request: web.Request) -> web.Response:
    """GET /overview: every backend at once, each with its own time limit; partial results."""
    session, backends, limit = request.app[SESSION], request.app[BACKENDS], request.app[TIMEOUT]

    async def one(url: str) -> tuple[bool, Any]:
        try:
            async with asyncio.timeout(limit):
                async with session.get(url) as resp:
                    if resp.status >= 500:  # the backend is broken
                        return False, None
                    try:
                        body = await resp.json(content_type=None)
                    except ValueError:
                        body = None
                    return True, body.get("value") if isinstance(body, dict) else None
        except (TimeoutError, aiohttp.ClientError):
            return False, None

    results = await asyncio.gather(*(one(url) for url in backends.values()))
    values = {name: value for name, (ok, value) in zip(backends, results) if ok}
    missing = sorted(name for name, (ok, _) in zip(backends, results) if not ok)
    return web.json_response({"values": values, "missing": missing})
