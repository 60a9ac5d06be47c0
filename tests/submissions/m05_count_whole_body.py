# expect: 5.3 failed "waited for the whole response"
async def count_lines(
    session: aiohttp.ClientSession, url: str, on_line: Callable[[str], None]
) -> int:
    # Reads the whole body first: correct lines, but late and all in memory.
    async with session.get(url) as resp:
        text = await resp.text()
    lines = text.splitlines()
    for line in lines:
        on_line(line)
    return len(lines)
