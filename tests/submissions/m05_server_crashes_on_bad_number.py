# expect: 5.5 failed "crashed with ValueError"
async def handle_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    # int("x") raises ValueError and the handler dies with it.
    try:
        while line := await reader.readline():
            command, *args = line.decode().split() or [""]
            if command == "QUIT":
                writer.write(b"BYE\n")
                await writer.drain()
                break
            if command == "ADD":
                reply = str(sum(int(a) for a in args))
            else:
                reply = "ERR unknown command"
            writer.write(reply.encode() + b"\n")
            await writer.drain()
    finally:
        writer.close()
