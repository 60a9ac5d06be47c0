# expect: 5.3 failed "Strip the newline"
# Written from the task text alone: Passes each decoded line to on_line as it comes from the stream, trailing "\n" included.
async def count_lines(
    session: aiohttp.ClientSession, url: str, on_line: Callable[[str], None]
) -> int:
    """Call on_line(text) for each line of the response as it arrives; return the line count."""
    count = 0
    async with session.get(url) as resp:
        resp.raise_for_status()
        async for raw in resp.content:
            on_line(raw.decode("utf-8"))
            count += 1
    return count
