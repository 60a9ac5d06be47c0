# expect: 5.5 failed "TCP delivers a stream of bytes"
# Written from the task text alone: Treats each reader.read(1024) as one command, so two lines that arrive together become one (bad) command and a line split over two reads becomes two.
async def handle_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Serve one client of the ADD/QUIT line protocol until it quits or goes away."""
    try:
        while True:
            data = await reader.read(1024)
            if not data:
                break
            words = data.decode().strip().split()
            if words == ["QUIT"]:
                writer.write(b"BYE\n")
                await writer.drain()
                break
            if words and words[0] == "ADD":
                try:
                    writer.write(f"{sum(int(w) for w in words[1:])}\n".encode())
                except ValueError:
                    writer.write(b"ERR bad number\n")
            else:
                writer.write(b"ERR unknown command\n")
            await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()
