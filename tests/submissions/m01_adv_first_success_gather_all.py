# expect: 1.2 failed "waited for the slow requests"
# Written from the task text alone. Defect: gather(return_exceptions=True) waits for every request, slow ones included, and only then picks the first success; nothing is ever cancelled.
async def first_success(urls: list[str]) -> dict:
    """Return the JSON of the first URL that answers successfully; cancel the rest."""
    async with aiohttp.ClientSession() as session:
        answers = await asyncio.gather(*(fetch_json(session, u) for u in urls),
                                       return_exceptions=True)
    for answer in answers:
        if not isinstance(answer, BaseException):
            return answer
    raise RuntimeError("every URL failed")
