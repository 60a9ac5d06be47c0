# expect: 5.5 failed "kept answering"
# others: passed
async def handle_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    # Stops only on QUIT: at end of input, readline() keeps returning b"", answered with ERR.
    try:
        while True:
            line = await reader.readline()
            command, *args = line.decode().split() or [""]
            if command == "QUIT":
                writer.write(b"BYE\n")
                await writer.drain()
                break
            if command == "ADD":
                try:
                    reply = str(sum(int(a) for a in args))
                except ValueError:
                    reply = "ERR bad number"
            else:
                reply = "ERR unknown command"
            writer.write(reply.encode() + b"\n")
            await writer.drain()
    finally:
        writer.close()
