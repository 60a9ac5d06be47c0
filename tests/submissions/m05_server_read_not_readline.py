# expect: 5.5 failed "TCP delivers a stream of bytes"
async def handle_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    # One read() taken as one command: two commands in one write become one bad command.
    try:
        while data := await reader.read(1024):
            words = data.decode().split()
            if words == ["QUIT"]:
                writer.write(b"BYE\n")
                await writer.drain()
                break
            if words and words[0] == "ADD":
                try:
                    reply = str(sum(int(w) for w in words[1:]))
                except ValueError:
                    reply = "ERR not a whole number"
            else:
                reply = "ERR unknown command"
            writer.write(reply.encode() + b"\n")
            await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()
