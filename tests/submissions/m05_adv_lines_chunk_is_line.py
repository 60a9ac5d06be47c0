# expect: 5.3 failed "not over chunks"
# Written from the task text alone: Treats each chunk read from the stream as one line; on a fast stream a chunk holds several lines or a piece of one.
async def count_lines(
    session: aiohttp.ClientSession, url: str, on_line: Callable[[str], None]
) -> int:
    """Call on_line(text) for each line of the response as it arrives; return the line count."""
    count = 0
    async with session.get(url) as resp:
        resp.raise_for_status()
        async for chunk in resp.content.iter_any():
            on_line(chunk.decode().rstrip("\n"))
            count += 1
    return count
