# expect: 5.5 failed "sent no reply line within 2 s"
async def handle_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    # Replies without a newline: the client's readline() waits for one forever.
    try:
        while line := await reader.readline():
            command, *args = line.decode().split() or [""]
            if command == "QUIT":
                writer.write(b"BYE")
                await writer.drain()
                break
            if command == "ADD":
                try:
                    reply = str(sum(int(a) for a in args))
                except ValueError:
                    reply = "ERR bad number"
            else:
                reply = "ERR unknown command"
            writer.write(reply.encode())
            await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()
