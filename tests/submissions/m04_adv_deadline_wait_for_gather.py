# expect: 4.2 failed "returned 0 of the 3 answers"
# verdict: wrong
# clause: "after at most `deadline` seconds, **returns the answers that have arrived**"
# defect: Puts the whole gather under wait_for; at the deadline wait_for cancels the gather and everything that had already arrived is thrown away with it.
async def fetch_until_deadline(urls: list[str], deadline: float) -> dict[str, dict]:
    """The JSON of every URL that answered successfully within `deadline` seconds."""
    async with aiohttp.ClientSession() as session:
        try:
            answers = await asyncio.wait_for(
                asyncio.gather(*(fetch_json(session, url) for url in urls),
                               return_exceptions=True),
                timeout=deadline)
        except TimeoutError:
            return {}
    return {url: answer for url, answer in zip(urls, answers)
            if not isinstance(answer, BaseException)}
