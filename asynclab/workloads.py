"""Work for the lessons on blocking and CPU-bound code (module 06 on).

The functions live in a module, not in a notebook cell, because a process pool sends a
function to its workers by name: under the "spawn" and "forkserver" start methods (macOS,
Windows, and Linux from Python 3.14) a worker imports the module that defines it, and a
notebook cell is not a module it can import.
"""

from __future__ import annotations

import random
import re
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

__all__ = ["count_primes", "document", "word_counts", "PriceFeed"]


def count_primes(limit: int) -> int:
    """How many primes are below ``limit``, by trial division in pure Python.

    Holds the GIL the whole time: two threads running it take twice as long as one.
    ``count_primes(60_000)`` takes about 0.1 s on a laptop core."""
    found = 0
    for n in range(2, limit):
        d = 2
        while d * d <= n:
            if n % d == 0:
                break
            d += 1
        else:
            found += 1
    return found


_VOCABULARY = (
    "async await task loop event future queue worker timeout cancel lock semaphore "
    "thread process pool socket stream buffer request response server client session "
    "retry backoff limit rate burst batch pipeline stage result error signal handler "
    "the a of to and in is it that for on with as by at from this be or are"
).split()


def document(doc_id: int, words: int = 200) -> str:
    """The text the lab service's ``/docs/{doc_id}`` serves: ``words`` words in lines of
    ten, the same for the same arguments on every machine."""
    rng = random.Random(f"doc:{doc_id}")
    picked = rng.choices(_VOCABULARY, k=words)
    return "\n".join(" ".join(picked[i:i + 10]) for i in range(0, words, 10)) + "\n"


_WORD = re.compile(r"[a-z']+")


def word_counts(text: str, repeat: int = 1) -> dict[str, int]:
    """Count the words in ``text`` (lower-cased): the "parse" step of a pipeline.

    ``repeat`` does the same work that many times over, to make it as CPU-heavy as a real
    parser: the answer does not change."""
    counts: Counter[str] = Counter()
    for _ in range(max(1, repeat)):
        counts = Counter(_WORD.findall(text.lower()))
    return dict(counts)


class PriceFeed:
    """A callback-based library of the kind asyncio code has to live with: once started,
    it calls ``callback(price)`` from a thread of its own, ``ticks`` times, every
    ``interval`` seconds, then ``callback(None)`` to say it has finished.

    The callback runs in the feed's thread, not in the event loop's: it must not touch
    asyncio objects directly (see ``loop.call_soon_threadsafe``)."""

    def __init__(self, callback: Callable[[Any], object], *, ticks: int = 10,
                 interval: float = 0.01, seed: int = 0) -> None:
        self._callback = callback
        self._ticks, self._interval = ticks, interval
        self._rng = random.Random(seed)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="PriceFeed", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Ask the feed to stop and wait for its thread to end."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        price = 100.0
        for _ in range(self._ticks):
            if self._stop.wait(self._interval):
                break
            price = round(price + self._rng.uniform(-1, 1), 2)
            self._callback(price)
        self._callback(None)

