# expect: 5.5 failed "came without a newline"
async def handle_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    # Ignores a line that does not end in a newline (the client's last one, before it closed).
    try:
        while line := await reader.readline():
            if not line.endswith(b"\n"):
                break
            command, *args = line.decode().split() or [""]
            if command == "QUIT":
                writer.write(b"BYE\n")
                await writer.drain()
                break
            if command == "ADD":
                try:
                    reply = str(sum(int(a) for a in args))
                except ValueError:
                    reply = "ERR not a whole number"
            else:
                reply = "ERR unknown command"
            writer.write(reply.encode() + b"\n")
            await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()
