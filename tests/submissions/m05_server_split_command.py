# expect: 5.5 failed "in two parts"
async def handle_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    # Splits each read() into lines, but never keeps an unfinished line for the next read.
    try:
        while data := await reader.read(1024):
            for line in data.decode().splitlines():
                command, *args = line.split() or [""]
                if command == "QUIT":
                    writer.write(b"BYE\n")
                    await writer.drain()
                    return
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
