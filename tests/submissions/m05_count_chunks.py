# expect: 5.3 failed "not over chunks"
async def count_lines(
    session: aiohttp.ClientSession, url: str, on_line: Callable[[str], None]
) -> int:
    # Streams, but treats each chunk of bytes as if it held whole lines.
    count = 0
    async with session.get(url) as resp:
        async for chunk in resp.content.iter_chunked(1024):
            for line in chunk.decode().splitlines():
                on_line(line)
                count += 1
    return count
