# expect: 5.3 failed "waited for the whole response"
# Written from the task text alone: Reads the whole body with resp.text() and splits it afterwards, so nothing is handled before the stream ends and the full response sits in memory.
async def count_lines(
    session: aiohttp.ClientSession, url: str, on_line: Callable[[str], None]
) -> int:
    """Call on_line(text) for each line of the response as it arrives; return the line count."""
    async with session.get(url) as resp:
        resp.raise_for_status()
        body = await resp.text()
    lines = body.splitlines()
    for line in lines:
        on_line(line)
    return len(lines)
