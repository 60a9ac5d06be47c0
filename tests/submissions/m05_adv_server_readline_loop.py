# expect: 5.5 passed "ADD, errors and QUIT answered"
# Written from the task text alone: an unusual but valid answer.
async def handle_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Serve one client of the ADD/QUIT line protocol until it quits or goes away."""

    async def send(text: str) -> None:
        writer.write(f"{text}\n".encode())
        await writer.drain()

    try:
        while True:
            line = await reader.readline()
            if line == b"":  # the client closed its side
                return
            command = line.decode(errors="replace").strip()
            if command == "QUIT":
                await send("BYE")
                return
            head, _, rest = command.partition(" ")
            if head != "ADD":
                await send(f"ERR unknown command: {command!r}")
                continue
            try:
                total = sum(int(n) for n in rest.split())
            except ValueError:
                await send("ERR ADD takes whole numbers")
                continue
            await send(str(total))
    finally:
        writer.close()
        await writer.wait_closed()
