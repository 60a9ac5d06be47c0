# expect: 1.2 failed "waited for the slow requests"
async def first_success(urls: list[str]) -> dict:
    # gather waits for every request, even the slow ones.
    async with aiohttp.ClientSession() as session:
        results = await asyncio.gather(*(fetch_json(session, u) for u in urls), return_exceptions=True)
    ok = [r for r in results if not isinstance(r, BaseException)]
    if not ok:
        raise RuntimeError("all failed")
    return next(r for r in ok if r["id"] == 2)
