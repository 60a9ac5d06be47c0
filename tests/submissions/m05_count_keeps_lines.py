# expect: 5.3 failed "no list of lines"
async def count_lines(
    session: aiohttp.ClientSession, url: str, on_line: Callable[[str], None]
) -> int:
    # Handles each line as it arrives, but also keeps every line "just in case".
    seen = []
    async with session.get(url) as resp:
        async for raw in resp.content:
            line = raw.decode().rstrip("\n")
            seen.append(line)
            on_line(line)
    return len(seen)
