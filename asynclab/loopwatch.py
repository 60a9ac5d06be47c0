"""The loop watch: how long the event loop stalls while the learner's code runs.

- ``LoopWatch``: a heartbeat task and a watchdog thread that measure the loop's stalls, blame
  the longest on the learner's line it spent most of its time in, and stop code that never
  gives control back by raising ``_Runaway`` inside it (the "kick": a signal, or else an
  asynchronous exception);
- ``_schedstat_path`` and ``_queued``: the time a thread spent waiting for a CPU (Linux
  schedstat), so that a busy machine is not taken for a blocked loop (nor, in
  ``CheckContext.run``, for busy-waiting);
- ``_is_learner_frame``, ``_learner_location`` and ``_cell_label``: which frames are the
  learner's (a notebook cell), where in them the code is, and the cell's label;
- ``BLOCK_LIMIT``: how long the loop may stall before it counts as blocked.

``asynclab.checking`` runs the learner's code under a ``LoopWatch`` (``CheckContext.run``).
"""

from __future__ import annotations

import asyncio
import collections
import ctypes
import linecache
import os
import re
import signal
import sys
import threading
import time
import traceback
from typing import Any

BLOCK_LIMIT = 0.25  # seconds the loop may stall before we call it blocked (holds on a busy 2-core box)


class _Runaway(BaseException):
    """Raised inside a coroutine stuck in a synchronous loop, so the kernel survives.

    A BaseException, so that the learner's ``except Exception:`` cannot swallow it.
    """


_CELL_FILE = re.compile(r"ipykernel_\d+[\\/][^\\/]+\.py$")


def _is_learner_frame(filename: str) -> bool:
    # IPython compiles each notebook cell to a file like /tmp/ipykernel_123/456.py (not to be
    # confused with ipykernel_launcher.py, at the bottom of every stack in a kernel).
    return _CELL_FILE.search(filename) is not None or filename.startswith("<ipython-input")


def _cell_label(filename: str) -> str:
    """The cell a learner frame's code came from, as JupyterLab labels it: "cell In[7]" (the
    number beside the cell) in the learner's own kernel; "its cell" while grading, where the
    grader's run numbers the cells differently from the learner's."""
    if os.environ.get("ASYNCLAB_GRADING"):
        return "its cell"
    try:
        from IPython import get_ipython

        shell = get_ipython()
        number = shell.compile._filename_map.get(filename) if shell is not None else None
    except Exception:  # not in IPython, or an IPython without the map
        number = None
    return f"cell In[{number}]" if isinstance(number, int) and number > 0 else "its cell"


def _learner_location(frame: Any) -> str | None:
    stack = traceback.extract_stack(frame)
    for fs in reversed(stack):
        if _is_learner_frame(fs.filename):
            line = (fs.line or linecache.getline(fs.filename, fs.lineno or 0)).strip()
            return f"in {fs.name}(), at `{line[:80]}`" if line else f"in {fs.name}()"
    return None


# Stopping code that never gives control back: a signal interrupts blocking calls such as
# time.sleep or a socket read as well as pure-Python loops, but only the main thread can
# receive one, and not on Windows. Elsewhere an asynchronous exception stops Python loops.
_KICK = getattr(signal, "SIGUSR1", None)
_armed: set[LoopWatch] = set()


def _on_kick(signum: int, frame: Any) -> None:
    # Installed once and left in place, so a late signal can never meet the default action
    # (which would end the process). It acts only while a watch is armed, in learner code.
    if _armed and frame is not None and _learner_location(frame) is not None:
        raise _Runaway()


def _can_kick() -> bool:
    if _KICK is None or not hasattr(signal, "pthread_kill"):
        return False
    if threading.current_thread() is not threading.main_thread():
        return False
    try:
        if signal.getsignal(_KICK) is not _on_kick:
            signal.signal(_KICK, _on_kick)
    except (ValueError, OSError):
        return False
    return True


def _schedstat_path() -> str:
    return f"/proc/self/task/{threading.get_native_id()}/schedstat"


def _queued(path: str) -> float:
    """Seconds a thread (its /proc schedstat file) has spent runnable but waiting for a CPU
    (Linux; 0 elsewhere). Such waiting is a busy machine, not the learner's code: a stall made
    of it is not a blocked loop, and it is not busy-waiting either. time.sleep() and a
    blocking read sleep, and CPU-bound code runs: neither queues."""
    try:
        with open(path, encoding="ascii") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return 0.0


class LoopWatch:
    """Measures how long the event loop stalls while the learner's code runs.

    A heartbeat task ticks every 10 ms; a watchdog thread notices when it stops ticking
    and records where the loop's thread is stuck. A stall in the learner's code longer
    than ``runaway_after`` seconds gets ``_Runaway`` raised inside it (again every second
    if the code catches it), so an endless synchronous loop or a ``time.sleep(1000)`` ends
    the check instead of hanging the kernel. Code that holds the interpreter inside one
    long C call (``sum(range(10**13))``) cannot be stopped from inside: the grader's time
    limit restarts the kernel.
    """

    def __init__(self, runaway_after: float | None = None) -> None:
        self.runaway_after = runaway_after
        self.max_stall = 0.0
        self.blamed_stall = 0.0  # the longest stall in learner code, minus time spent waiting for a CPU
        self.where: str | None = None
        self.runaway = False
        self._beat = time.monotonic()
        self._stop = threading.Event()
        self._thread_id = threading.get_ident()
        self._schedstat = _schedstat_path()
        self._task: asyncio.Task[None] | None = None
        self._watchdog = threading.Thread(target=self._watch, daemon=True)
        self._use_signal = False

    async def _heartbeat(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            self._beat = time.monotonic()
            await asyncio.sleep(0.01)
            self.max_stall = max(self.max_stall, loop.time() - before - 0.01)

    def _kick(self) -> None:
        if self._stop.is_set():
            return
        self.runaway = True
        if self._use_signal:
            signal.pthread_kill(self._thread_id, _KICK)  # type: ignore[arg-type]
        else:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(self._thread_id), ctypes.py_object(_Runaway)
            )

    def _queued(self) -> float:
        return _queued(self._schedstat)

    def _watch(self) -> None:
        next_kick: float | None = None
        seen: collections.Counter[str] = collections.Counter()  # where the current stall was sampled
        longest = 0.0
        beat, queued_at_beat = self._beat, self._queued()
        while not self._stop.wait(0.02):
            if self._beat != beat:
                beat, queued_at_beat = self._beat, self._queued()
            stalled = time.monotonic() - beat
            if stalled >= BLOCK_LIMIT:
                stalled -= self._queued() - queued_at_beat  # a starved thread is not a blocked loop
            if stalled < BLOCK_LIMIT:
                next_kick = None
                seen.clear()
                continue
            frame = sys._current_frames().get(self._thread_id)
            where = _learner_location(frame) if frame is not None else None
            del frame
            if where:
                seen[where] += 1
            if seen and stalled >= longest:
                # The longest stall so far, blamed on the line it spent most of its time in
                # (not the line it happened to reach last).
                longest = stalled
                self.where = seen.most_common(1)[0][0]
                self.blamed_stall = max(self.blamed_stall, stalled)
            if where and self.runaway_after is not None and stalled > self.runaway_after:
                now = time.monotonic()
                if next_kick is None or now >= next_kick:
                    self._kick()
                    next_kick = now + 1.0

    def __enter__(self) -> LoopWatch:
        self._use_signal = _can_kick()
        _armed.add(self)
        self._task = asyncio.get_running_loop().create_task(self._heartbeat())
        self._watchdog.start()
        return self

    def __exit__(self, *exc: object) -> None:
        # The heartbeat may not have woken since the last stall: count that stall too.
        self.max_stall = max(self.max_stall, time.monotonic() - self._beat - 0.01)
        _armed.discard(self)
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
        self._watchdog.join(timeout=1)
