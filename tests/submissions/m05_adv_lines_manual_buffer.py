# expect: 5.3 passed "counted holding at most"
# Written from the task text alone: an unusual but valid answer.
async def count_lines(
    session: aiohttp.ClientSession, url: str, on_line: Callable[[str], None]
) -> int:
    """Call on_line(text) for each line of the response as it arrives; return the line count."""
    count = 0
    pending = b""  # the unfinished tail of the current line, nothing more
    async with session.get(url) as resp:
        resp.raise_for_status()
        async for chunk in resp.content.iter_chunked(16 * 1024):
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for raw in complete:
                on_line(raw.decode("utf-8"))
                count += 1
    if pending:  # a last line without a newline
        on_line(pending.decode("utf-8"))
        count += 1
    return count
