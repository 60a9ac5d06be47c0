# expect: 5.3 failed "For a stream of 0 line(s)"
async def count_lines(
    session: aiohttp.ClientSession, url: str, on_line: Callable[[str], None]
) -> int:
    # Handles the first line before checking for the end: an empty stream gets one '' line.
    count = 0
    async with session.get(url) as resp:
        raw = await resp.content.readline()
        while True:
            on_line(raw.decode().rstrip("\n"))
            count += 1
            raw = await resp.content.readline()
            if not raw:
                break
    return count
