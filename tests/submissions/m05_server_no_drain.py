# expect: 5.5 failed "KB of unsent replies"
async def handle_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    # Writes every reply but never drains: a client that reads slowly makes the buffer grow.
    try:
        while line := await reader.readline():
            command, *args = line.decode().split() or [""]
            if command == "QUIT":
                writer.write(b"BYE\n")
                break
            if command == "ADD":
                try:
                    reply = str(sum(int(a) for a in args))
                except ValueError:
                    reply = "ERR not a whole number"
            else:
                reply = "ERR unknown command"
            writer.write(reply.encode() + b"\n")
    finally:
        writer.close()
        await writer.wait_closed()
