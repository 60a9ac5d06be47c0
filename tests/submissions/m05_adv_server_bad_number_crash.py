# expect: 5.5 failed "crashed with ValueError"
# Written from the task text alone: Answers unknown commands with ERR but converts ADD's arguments without catching ValueError, so `ADD 1 x` ends the handler instead of replying ERR.
async def handle_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Serve one client of the ADD/QUIT line protocol until it quits or goes away."""
    try:
        while line := await reader.readline():
            command, *args = line.decode().split() or [""]
            if command == "ADD":
                writer.write(f"{sum(map(int, args))}\n".encode())
            elif command == "QUIT":
                writer.write(b"BYE\n")
                await writer.drain()
                break
            else:
                writer.write(f"ERR unknown command {command}\n".encode())
            await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()
