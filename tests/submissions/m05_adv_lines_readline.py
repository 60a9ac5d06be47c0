# expect: 5.3 passed "counted holding at most"
# Written from the task text alone: an unusual but valid answer.
async def count_lines(
    session: aiohttp.ClientSession, url: str, on_line: Callable[[str], None]
) -> int:
    """Call on_line(text) for each line of the response as it arrives; return the line count."""
    count = 0
    async with session.get(url) as resp:
        resp.raise_for_status()
        encoding = resp.get_encoding()
        while raw := await resp.content.readline():
            on_line(raw.decode(encoding).removesuffix("\n").removesuffix("\r"))
            count += 1
    return count
