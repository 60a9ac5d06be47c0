# expect: 5.3 failed "Strip the newline"
async def count_lines(
    session: aiohttp.ClientSession, url: str, on_line: Callable[[str], None]
) -> int:
    # Streams line by line, but passes each line on with its trailing newline.
    count = 0
    async with session.get(url) as resp:
        async for raw in resp.content:
            on_line(raw.decode())
            count += 1
    return count
