# expect: 5.5 failed "after the client sent ''"
async def handle_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    # An empty line has no command word: the unpacking raises ValueError and the handler dies.
    try:
        while line := await reader.readline():
            command, *args = line.decode().split()
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
