# expect: 5.5 passed "ADD, errors and QUIT answered"
# Written from the task text alone: an unusual but valid answer.
def _reply(line: bytes) -> tuple[str, bool]:
    """The reply to one command line, and whether to hang up afterwards."""
    try:
        words = line.decode("utf-8").split()
    except UnicodeDecodeError:
        return "ERR not text", False
    match words:
        case ["QUIT"]:
            return "BYE", True
        case ["ADD", *numbers]:
            try:
                return str(sum(int(n) for n in numbers)), False
            except ValueError:
                return "ERR ADD takes whole numbers", False
        case _:
            return "ERR unknown command", False


async def handle_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Serve one client of the ADD/QUIT line protocol until it quits or goes away."""
    try:
        async for line in reader:  # a StreamReader yields lines; the loop ends at EOF
            reply, hang_up = _reply(line)
            writer.write(reply.encode() + b"\n")
            await writer.drain()
            if hang_up:
                break
    except ConnectionError:
        pass  # the client vanished mid-reply: nothing left to tell it
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except ConnectionError:
            pass
