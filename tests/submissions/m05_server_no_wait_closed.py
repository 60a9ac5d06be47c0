# expect: 5.5 failed "await writer.wait_closed()"
async def handle_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    # Closes the writer but returns without waiting for the connection to be closed.
    try:
        while line := await reader.readline():
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
