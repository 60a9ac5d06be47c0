"""How a plain Python script runs async code: ``asyncio.run(main())``.

A script starts with no event loop. ``asyncio.run`` creates one, runs ``main()``
until it returns, cancels anything left over, and closes the loop. That is the
whole life of the loop, and it is why ``asyncio.run`` is the one call a script
needs (and why it refuses to run inside a loop that is already running, such
as the one in a Jupyter kernel).

Run it from the repository root:

    python scripts/demo_asyncio_run.py
"""

from __future__ import annotations

import asyncio
import time

START = time.perf_counter()


def say(message: str) -> None:
    """Print a line stamped with the seconds since the script started."""
    print(f"[{time.perf_counter() - START:4.2f}s] {message}", flush=True)


async def brew(drink: str, seconds: float) -> str:
    say(f"  {drink}: started ({seconds}s)")
    await asyncio.sleep(seconds)  # waiting on a timer, like waiting on the network
    say(f"  {drink}: ready")
    return drink


async def main() -> list[str]:
    loop = asyncio.get_running_loop()
    say(f"main: running inside {type(loop).__name__}")
    # Both drinks brew at the same time: 0.2 s in total, not 0.1 + 0.2 = 0.3 s.
    drinks = await asyncio.gather(brew("tea", 0.2), brew("coffee", 0.1))
    say(f"main: got {drinks}")
    return drinks


def loop_is_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


if __name__ == "__main__":
    say(f"before asyncio.run: is a loop running? {loop_is_running()}")
    result = asyncio.run(main())  # create a loop, run main() to the end, close the loop
    say(f"after asyncio.run: is a loop running? {loop_is_running()}; result = {result}")
