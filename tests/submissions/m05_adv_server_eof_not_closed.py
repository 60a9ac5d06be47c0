# expect: 5.5 failed "did not close the connection within 2 s"
# Written from the task text alone: Closes the connection only after QUIT; when readline() returns b"" it just returns, leaving the writer open.
async def handle_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Serve one client of the ADD/QUIT line protocol until it quits or goes away."""
    while True:
        line = await reader.readline()
        if not line:
            return  # the client went away
        command = line.decode().strip()
        if command == "QUIT":
            writer.write(b"BYE\n")
            await writer.drain()
            writer.close()
            await writer.wait_closed()
            return
        parts = command.split()
        if parts and parts[0] == "ADD":
            try:
                reply = str(sum(int(p) for p in parts[1:]))
            except ValueError:
                reply = "ERR not a whole number"
        else:
            reply = f"ERR unknown command {command!r}"
        writer.write(reply.encode() + b"\n")
        await writer.drain()
