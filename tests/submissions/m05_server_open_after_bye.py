# expect: 5.5 failed "After `BYE` the connection stayed open"
async def handle_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    # Says BYE but keeps waiting for more lines, and never closes the connection itself.
    while line := await reader.readline():
        command, *args = line.decode().split() or [""]
        if command == "QUIT":
            reply = "BYE"
        elif command == "ADD":
            try:
                reply = str(sum(int(a) for a in args))
            except ValueError:
                reply = "ERR bad number"
        else:
            reply = "ERR unknown command"
        writer.write(reply.encode() + b"\n")
        await writer.drain()
