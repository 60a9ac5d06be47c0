# expect: 5.3 failed "no list of lines"
# Written from the task text alone: Handles each line on arrival but also appends every line to a list, only to return its length, so the whole response ends up in memory.
async def count_lines(
    session: aiohttp.ClientSession, url: str, on_line: Callable[[str], None]
) -> int:
    """Call on_line(text) for each line of the response as it arrives; return the line count."""
    seen: list[str] = []
    async with session.get(url) as resp:
        resp.raise_for_status()
        async for raw in resp.content:
            text = raw.decode("utf-8").rstrip("\n")
            on_line(text)
            seen.append(text)
    return len(seen)
