# expect: 5.3 failed "kept the CPU busy while it waited"
async def count_lines(
    session: aiohttp.ClientSession, url: str, on_line: Callable[[str], None]
) -> int:
    # Polls the stream for a complete line instead of awaiting one: a busy-wait.
    count = 0
    pending = b""
    async with session.get(url) as resp:
        while not resp.content.at_eof() or pending:
            pending += resp.content.read_nowait()
            while b"\n" in pending:
                raw, pending = pending.split(b"\n", 1)
                on_line(raw.decode())
                count += 1
            if resp.content.at_eof() and pending:
                on_line(pending.decode())
                count += 1
                pending = b""
            await asyncio.sleep(0)
    return count
