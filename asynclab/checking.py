"""Checks that run inside the learner's kernel: ``await check("1.1")`` and ``hint("1.1")``.

A check calls the learner's function against the lab service and judges what happened,
not only what came back: how many requests the service saw at once, whether the event loop
was blocked, whether tasks were left running. The checks themselves live in
``exercises_tests/checks_NN.py``; this module is the machinery they share.

Outcome statuses: "passed", "failed", "not attempted", "error", "timed out".
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import ctypes
import difflib
import gc
import importlib
import importlib.util
import inspect
import json
import linecache
import os
import re
import signal
import sys
import sysconfig
import threading
import time
import traceback
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import asdict, dataclass, field
from typing import Any

from . import manifest

RESULT_MIME = "application/vnd.asynclab.result+json"
GRADING = "ASYNCLAB_GRADING"  # set by the grader: inline check() cells become no-ops
STRICT = "ASYNCLAB_STRICT"  # set in tests: check() raises when a task does not pass
BLOCK_LIMIT = 0.25  # seconds the loop may stall before we call it blocked (holds on a busy 2-core box)
OUTPUT_LIMIT = 20_000  # characters of output a check lets through from the learner's code
CANCEL_GRACE = 1.0  # seconds a task the learner cancelled may take to finish cancelling
BUSY_CPU = 0.25  # a run that used more CPU than this (s) on the loop's thread...
BUSY_SHARE = 0.6  # ...and ran for more than this share of the time a CPU was free for it, was busy-waiting
MESSAGE_LIMIT = 2_000  # characters of an outcome's message (a huge repr must not flood the scoreboard)


# --------------------------------------------------------------------------- outcomes
class _Verdict(Exception):
    """A verdict on the learner's code. ``hint``: a hint for the very mistake the check
    recognised; ``hint()`` in the notebook shows it first."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class CheckFailed(_Verdict):
    """The learner's code ran but did the wrong thing; the message says what and what next."""


class NotAttempted(_Verdict):
    """The stub still raises NotImplementedError."""


class LearnerError(_Verdict):
    """The learner's code is missing or crashed."""


class TimedOut(_Verdict):
    """The learner's code did not finish in time."""


class _Runaway(BaseException):
    """Raised inside a coroutine stuck in a synchronous loop, so the kernel survives.

    A BaseException, so that the learner's ``except Exception:`` cannot swallow it.
    """


class _Exited(Exception):
    """The learner's coroutine raised SystemExit or KeyboardInterrupt (it would stop the loop)."""


@dataclass
class Outcome:
    task: str
    title: str
    status: str
    message: str
    points: int
    earned: int
    notes: list[str] = field(default_factory=list)
    hint: str = ""  # a hint for the mistake the check recognised, shown by hint() on request

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def _ipython_display_(self) -> None:
        """``await check(...)`` already printed the feedback: no ``Out[n]`` repr below it."""


def task_timeout(t: manifest.Task) -> float:
    """The task's time limit; ASYNCLAB_TASK_TIMEOUT caps it (the test suite uses short ones)."""
    cap = os.environ.get("ASYNCLAB_TASK_TIMEOUT")
    return min(t.timeout, float(cap)) if cap else t.timeout


# --------------------------------------------------------------------------- registry
CheckFn = Callable[["CheckContext"], Awaitable[str]]
_REGISTRY: dict[str, CheckFn] = {}


def task(task_id: str) -> Callable[[CheckFn], CheckFn]:
    """Register ``fn`` as the check for ``task_id`` (as named in course.toml)."""

    def register(fn: CheckFn) -> CheckFn:
        _REGISTRY[task_id] = fn
        return fn

    return register


def _check_for(task_id: str) -> tuple[manifest.Task, CheckFn]:
    t = manifest.task(task_id)
    mod = manifest.module(t.module)
    if mod.checks:
        importlib.import_module(mod.checks)
    if task_id not in _REGISTRY:
        raise KeyError(f"no check registered for task {task_id} in {mod.checks}")
    return t, _REGISTRY[task_id]


# --------------------------------------------------------------------------- loop watch
_learner = contextvars.ContextVar("asynclab_learner", default=False)


_CELL_FILE = re.compile(r"ipykernel_\d+[\\/][^\\/]+\.py$")


def _is_learner_frame(filename: str) -> bool:
    # IPython compiles each notebook cell to a file like /tmp/ipykernel_123/456.py (not to be
    # confused with ipykernel_launcher.py, at the bottom of every stack in a kernel).
    return _CELL_FILE.search(filename) is not None or filename.startswith("<ipython-input")


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


_ASYNCIO_DIR = os.path.dirname(asyncio.__file__)
_OWN_DIRS = tuple(
    os.path.dirname(os.path.abspath(p)) + os.sep
    for p in (__file__, getattr(importlib.util.find_spec("exercises_tests"), "origin", None) or __file__)
)
_LIBRARY_DIRS = tuple(
    {os.path.abspath(sysconfig.get_paths()[k]) + os.sep for k in ("stdlib", "platstdlib", "purelib", "platlib")}
)


def _created_by_learner(frame: Any) -> bool:
    """Whether the code that asked for a new task is the learner's: the first frame outside
    asyncio (gather, TaskGroup, as_completed...) and this module is in a notebook cell or in
    a file of the learner's own; library code (aiohttp) and the checks are not."""
    while frame is not None:
        filename = frame.f_code.co_filename
        if not (filename.startswith(_ASYNCIO_DIR) or filename == __file__):
            if _is_learner_frame(filename):
                return True
            path = os.path.abspath(filename)
            return not path.startswith(_OWN_DIRS + _LIBRARY_DIRS) and not filename.startswith("<")
        frame = frame.f_back
    return False


class _LearnerTask(asyncio.Task):  # type: ignore[type-arg]
    """A task of the learner's code. It counts the cancellations a TaskGroup asked of it as
    the group's parent, when a child failed: Python 3.11's TaskGroup can leave one of those
    counted in cancelling() (its uncancel() runs before it waits for the children), which
    must not pass for a cancellation the task swallowed."""

    group_cancels = 0

    def cancel(self, msg: Any = None) -> bool:
        caller = sys._getframe(1).f_code
        if caller.co_name == "_on_task_done" and caller.co_filename.startswith(_ASYNCIO_DIR):
            self.group_cancels += 1
        return super().cancel(msg)


def _swallowed(t: asyncio.Task[Any]) -> bool:
    """Done, and not cancelled although a cancellation was asked of it (and not undone)."""
    return t.done() and not t.cancelled() and t.cancelling() > getattr(t, "group_cancels", 0)


class _TaskRecorder:
    """Records the tasks the learner's code creates (via a task factory), and counts the
    aiohttp sessions it opens."""

    def __init__(self) -> None:
        self.tasks: list[asyncio.Task[Any]] = []
        self.sessions = 0
        self._loop = asyncio.get_running_loop()
        self._previous = self._loop.get_task_factory()
        self._session_init: Any = None

    def _factory(self, loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> Any:
        learners = _learner.get() and _created_by_learner(sys._getframe(1))
        if self._previous is not None:
            t = self._previous(loop, coro, **kwargs)
        elif learners:
            t = _LearnerTask(coro, loop=loop, **kwargs)
        else:
            t = asyncio.Task(coro, loop=loop, **kwargs)
        if learners:
            self.tasks.append(t)
        return t

    def __enter__(self) -> _TaskRecorder:
        self._loop.set_task_factory(self._factory)
        aiohttp = sys.modules.get("aiohttp")
        if aiohttp is not None:
            original = aiohttp.ClientSession.__init__
            recorder = self

            def counting_init(session: Any, *args: Any, **kwargs: Any) -> None:
                if _learner.get() and _created_by_learner(sys._getframe(1)):
                    recorder.sessions += 1
                original(session, *args, **kwargs)

            self._session_init = original
            aiohttp.ClientSession.__init__ = counting_init
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.set_task_factory(self._previous)
        if self._session_init is not None:
            sys.modules["aiohttp"].ClientSession.__init__ = self._session_init


def _describe_task(t: asyncio.Task[Any]) -> str:
    coro = t.get_coro()
    name = getattr(coro, "__qualname__", None) or t.get_name()
    return f"{name}()"


def _waiting_at(t: asyncio.Task[Any]) -> tuple[str, str]:
    """(where in the learner's code a suspended task is, what it waits for there), read from
    its chain of awaits: e.g. ("worker(), line 7: `url = await todo.get()`", "Queue.get")."""
    frames = []
    obj: Any = t.get_coro()
    for _ in range(100):
        if inspect.iscoroutine(obj):
            frame, obj = obj.cr_frame, obj.cr_await
        elif inspect.isgenerator(obj):
            frame, obj = obj.gi_frame, obj.gi_yieldfrom
        elif type(obj).__name__ == "async_generator_asend":
            break
        else:
            break
        if frame is None:
            break
        frames.append(frame)
    where = what = ""
    for i, frame in enumerate(frames):
        code = frame.f_code
        if _is_learner_frame(code.co_filename):
            line = linecache.getline(code.co_filename, frame.f_lineno).strip()
            where = f"{code.co_name}(), line {frame.f_lineno}" + (f": `{line[:80]}`" if line else "")
            what = ""
            # What the learner's line awaits: asyncio's Queue.get, or a library (looking
            # through a check's own wrappers, such as a queue that records its puts).
            below = [f for f in frames[i + 1:] if not os.path.abspath(f.f_code.co_filename).startswith(_OWN_DIRS)]
            if below:
                callee = below[0].f_code
                if callee.co_filename.startswith(_ASYNCIO_DIR):
                    what = getattr(callee, "co_qualname", callee.co_name) + "()"
                else:
                    module = below[0].f_globals.get("__name__", "")
                    what = f"{module.split('.')[0]} ({getattr(callee, 'co_qualname', callee.co_name)})"
    return where or _describe_task(t), what


# What a task stuck in one of asyncio's waits is usually missing.
_STUCK_ADVICE = {
    "Queue.join": "`queue.join()` returns only when every item taken with get() was marked done: "
    "call `queue.task_done()` once per item (in a `finally:`, so that an error cannot skip it).",
    "Queue.get": "`await queue.get()` waits until something is put in the queue: does anything "
    "still put items, or tell the consumers to stop (a sentinel per consumer, or cancel them)?",
    "Queue.put": "`await queue.put()` waits while the queue is full: is anyone still taking items out?",
    "Event.wait": "`await event.wait()` returns only once someone calls `event.set()`.",
    "Condition.wait": "`await condition.wait()` returns only after a `notify()` on the same condition.",
    "Semaphore.acquire": "a semaphore with no free slot: was every slot released (`async with sem:`, "
    "or `release()` in a `finally:`)?",
    "Lock.acquire": "a lock that nobody releases: take it with `async with lock:`.",
    "Barrier.wait": "a barrier waits until enough tasks reach it.",
}


def _stuck_report(tasks: list[asyncio.Task[Any]], limit: int = 4) -> str:
    """Where the given (suspended) tasks were waiting, in words, with advice for the usual
    suspects; '' when none of them is waiting in the learner's code."""
    lines: list[str] = []
    advice: list[str] = []
    for t in tasks:
        if t.done():
            continue
        where, what = _waiting_at(t)
        lines.append(f"{where}" + (f", waiting in {what}" if what else ""))
        for key, text in _STUCK_ADVICE.items():
            if what.removesuffix("()") == key and text not in advice:
                advice.append(text)
    if not lines:
        return ""
    counted = collections.Counter(lines)
    shown = [f"{w} (x{n})" if n > 1 else w for w, n in list(counted.items())[:limit]]
    more = f"; and {len(counted) - limit} more" if len(counted) > limit else ""
    return "Where your tasks were waiting: " + "; ".join(shown) + more + "." + (
        " " + " ".join(advice) if advice else ""
    )


# --------------------------------------------------------------------------- guards
async def _guarded(coro: Any) -> Any:
    """Await the learner's coroutine. SystemExit and KeyboardInterrupt escaping a task would
    stop the event loop itself (and kill the kernel): turn them into an ordinary error."""
    try:
        return await coro
    except (SystemExit, KeyboardInterrupt) as exc:
        raise _Exited() from exc


def _exit_message(name: str, exc: BaseException | None) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return (
            f"{name}() was interrupted (KeyboardInterrupt). If a check seems stuck, restart the "
            "kernel rather than interrupting it."
        )
    return (
        f"{name}() called sys.exit() or exit() (SystemExit), which would stop the whole "
        "program. Return a value, or raise an exception to report a failure."
    )


def _describe(exc: BaseException, limit: int = 300) -> str:
    """``Name: message`` of an exception, shortened; safe even when its __str__ is broken."""
    try:
        text = str(exc)
    except Exception:
        text = "(its message could not be shown)"
    if len(text) > limit:
        text = text[:limit] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _leaves(exc: BaseException) -> list[BaseException]:
    """The exceptions inside a (nested) exception group; [exc] for a plain exception."""
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


def _learner_line(exc: BaseException) -> str:
    """' (at line N of your cell: `code`)' for the deepest frame of the learner's code in the
    exception's traceback; cell line numbers are the ones JupyterLab shows."""
    found = ""
    for fs in traceback.extract_tb(exc.__traceback__):
        if _is_learner_frame(fs.filename):
            line = (fs.line or "").strip()
            found = f" (in {fs.name}(), line {fs.lineno} of its cell" + (f": `{line[:80]}`)" if line else ")")
    return found


def _explain(exc: BaseException) -> str:
    """Plain words for the classic asyncio mistakes an exception reveals; '' if none."""
    text = str(exc)
    if isinstance(exc, RuntimeError) and (
        "cannot reuse already awaited coroutine" in text or "coroutine is being awaited already" in text
    ):
        return (
            "A coroutine object runs only once, so it cannot be awaited twice or by two callers. "
            "To share one operation, wrap it in a task (`asyncio.create_task(coro)`) and await the "
            "task as often as you like."
        )
    if isinstance(exc, asyncio.InvalidStateError):
        return (
            "A task's result was read before the task had finished. Inside an "
            "`async with asyncio.TaskGroup()` block the tasks are still running: read "
            "`task.result()` after the block has ended, or `await` the task."
        )
    if isinstance(exc, RuntimeError) and ("Session is closed" in text or "Connector is closed" in text):
        return (
            "A request ran after its ClientSession was closed: a task outlived the "
            "`async with aiohttp.ClientSession()` block. Await every task (or cancel and await "
            "it) before the block ends."
        )
    return ""


_BUGS = (NameError, ImportError, TypeError, AttributeError, SyntaxError, NotImplementedError)


def describe_error(exc: BaseException) -> str:
    """What the learner's code raised, in words: an ExceptionGroup shows the exceptions inside
    it, the classic mistakes are named, and the learner's line is given."""
    head = _describe(exc) + _learner_line(exc)
    if isinstance(exc, BaseExceptionGroup):
        leaves = _leaves(exc)
        if len(leaves) == 1:
            head = f"{_describe(leaves[0])}{_learner_line(leaves[0])}, inside an {type(exc).__name__}"
        else:
            inside = "; ".join(_describe(e, 200) + _learner_line(e) for e in leaves[:3])
            more = f" and {len(leaves) - 3} more" if len(leaves) > 3 else ""
            head = f"{type(exc).__name__} with {len(leaves)} exceptions inside: {inside}{more}"
        if all(isinstance(e, _BUGS) for e in leaves):
            head += "."  # a bug in the code, not a failure to handle: the leaf says it all
        else:
            head += (
                ". When a task in a TaskGroup fails, the group cancels its other tasks and raises "
                "an ExceptionGroup of the failures: handle the failures you expect inside each "
                "task, or around the group with `except*`."
            )
        explained = next((e for e in map(_explain, leaves) if e), "")
    else:
        explained = _explain(exc)
    return f"{head} {explained}".strip()


def _awaitable_inside(result: Any) -> Any:
    """The result itself or an element of it (one level deep) that is an un-awaited awaitable."""
    if inspect.isawaitable(result):
        return result
    if isinstance(result, (list, tuple, set)):
        values: Any = result
    elif isinstance(result, dict):
        values = result.values()
    else:
        return None
    return next((v for v in values if inspect.isawaitable(v)), None)


def _discard(awaitable: Any) -> None:
    """Close an un-awaited coroutine, or cancel a future (reading the error of one already
    failed), so that nothing warns about it later."""
    if inspect.iscoroutine(awaitable):
        awaitable.close()
    elif isinstance(awaitable, asyncio.Future):
        if awaitable.done() and not awaitable.cancelled():
            awaitable.exception()
        awaitable.cancel()


def _shorten(message: str, limit: int = MESSAGE_LIMIT) -> str:
    return message if len(message) <= limit else message[:limit] + " ... (message shortened)"


class _OutputBudget:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.written = 0
        self.cut = False

    def reset(self, *_: object) -> None:
        self.written = 0
        self.cut = False


class _CappedStream:
    """A stream that passes the first ``budget.limit`` characters on, then only counts."""

    def __init__(self, target: Any, budget: _OutputBudget) -> None:
        self._target = target
        self._budget = budget

    def write(self, text: str) -> int:
        budget = self._budget
        n = len(text)
        room = budget.limit - budget.written
        budget.written += n
        if n <= room:
            self._target.write(text)
        elif not budget.cut:
            budget.cut = True
            self._target.write(text[: max(room, 0)])
            self._target.write(
                f"\n[... output cut after {budget.limit:,} characters: print less, e.g. "
                "only every 1000th line ...]\n"
            )
        return n

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)


class _LimitedOutput:
    def __init__(self, budget: _OutputBudget) -> None:
        self.budget = budget
        self._saved: tuple[Any, Any] | None = None

    def __enter__(self) -> _OutputBudget:
        self._saved = (sys.stdout, sys.stderr)
        sys.stdout = _CappedStream(sys.stdout, self.budget)
        sys.stderr = _CappedStream(sys.stderr, self.budget)
        return self.budget

    def __exit__(self, *exc: object) -> None:
        assert self._saved is not None
        sys.stdout, sys.stderr = self._saved


def prepare_grading_kernel(memory_mb: int = 0) -> None:
    """Run by the grader in each fresh kernel before the learner's code: cap the kernel's
    memory (POSIX; a runaway allocation becomes a MemoryError, not a frozen machine) and
    keep only the first OUTPUT_LIMIT characters each cell prints."""
    if memory_mb > 0:
        try:
            import resource

            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            cap = memory_mb * 2**20
            if hard != resource.RLIM_INFINITY:
                cap = min(cap, hard)
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        except (ImportError, AttributeError, ValueError, OSError):
            pass  # Windows, or a platform that does not enforce it
    budget = _OutputBudget(OUTPUT_LIMIT)
    sys.stdout = _CappedStream(sys.stdout, budget)
    sys.stderr = _CappedStream(sys.stderr, budget)
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - outside IPython
        shell = None
    if shell is not None:
        shell.events.register("pre_run_cell", budget.reset)


# --------------------------------------------------------------------------- context
class CheckContext:
    """What a check function gets: the learner's namespace, the lab service, helpers."""

    def __init__(self, task: manifest.Task, namespace: dict[str, Any]) -> None:
        self.task = task
        self.namespace = namespace
        self._lab: Any = None
        self.notes: list[str] = []
        self.last = RunInfo()
        self.output = _OutputBudget(OUTPUT_LIMIT)  # what the learner's code may print, in all its runs
        self.printed_by = ""  # the function whose output was cut first

    @property
    def lab(self) -> Any:
        if self._lab is None:
            from .labservice import lab

            self._lab = lab()
            self._lab.reset()
        return self._lab

    def function(self, name: str | None = None, *, is_async: bool = True) -> Callable[..., Any]:
        """The learner's function ``name``; plain-words errors when missing or not async."""
        name = name or self.task.function
        obj = self.namespace.get(name)
        if obj is None:
            similar = [
                k
                for k, v in self.namespace.items()
                if inspect.isfunction(v)
                and not k.startswith("_")
                and (name in k or k in name or difflib.SequenceMatcher(None, name, k).ratio() >= 0.85)
            ]
            found = f" (found `{similar[0]}`)" if similar else ""
            raise LearnerError(
                f"MISSING FUNCTION {name}: did you rename it{found}, or has its cell not run yet? "
                f"Keep the name `{name}` and run its cell (or Run > Run All Cells) before checking."
            )
        if not callable(obj):
            raise LearnerError(f"`{name}` is a {type(obj).__name__}, not a function.")
        if is_async and not inspect.iscoroutinefunction(obj):
            raise CheckFailed(
                f"`{name}` must be a coroutine function: define it with `async def {name}(...)`."
            )
        return obj

    def expect(self, condition: object, message: str, hint: str = "") -> None:
        """Fail with ``message`` unless ``condition``; ``hint`` is the hint for this mistake."""
        if not condition:
            raise CheckFailed(message, hint)

    async def run(
        self,
        coro: Coroutine[Any, Any, Any],
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - a limit for the learner's code
        allow_blocking: bool = False,
        allow_leaks: bool = False,
        allow_busy: bool = False,
        allow_awaitable: bool = False,
    ) -> Any:
        """Run the learner's coroutine as its own task and judge how it behaved.

        Raises NotAttempted, TimedOut, LearnerError or CheckFailed; returns the coroutine's
        result otherwise. On every exit path (a value, an exception, a timeout) the tasks the
        learner's code created are looked at: one still running that the learner did not
        cancel is a leak; one that was cancelled must end cancelled (not carry on, return or
        raise something else). A blocked loop, a busy-waiting coroutine (CPU time close to the
        time it waited) and a returned awaitable (a missing `await`) fail too. What the code
        prints is cut after OUTPUT_LIMIT characters. ``self.last`` says what the run did.
        """
        name = getattr(coro, "__qualname__", "your function")
        timeout = timeout if timeout is not None else task_timeout(self.task)
        self.last = RunInfo()
        with (
            _LimitedOutput(self.output) as output,  # one budget for the whole check
            _TaskRecorder() as recorder,
            LoopWatch(runaway_after=timeout) as watch,
        ):
            schedstat = _schedstat_path()
            cpu0, wall0, queued0 = time.thread_time(), time.monotonic(), _queued(schedstat)
            token = _learner.set(True)  # tasks created from here on are the learner's
            try:
                learner = asyncio.ensure_future(_guarded(coro))
            finally:
                _learner.reset(token)
            done, _ = await asyncio.wait({learner}, timeout=timeout)
            cpu, wall = time.thread_time() - cpu0, time.monotonic() - wall0
            runnable = wall - (_queued(schedstat) - queued0)  # the time a CPU was there for it
            if not done:
                where = _stuck_report([learner, *recorder.tasks])
                for t in [learner, *recorder.tasks]:
                    t.cancel()
                await asyncio.wait({learner, *recorder.tasks}, timeout=1)
                stuck = "" if learner.done() else (
                    " It also ignored being cancelled (does it catch CancelledError, with a bare "
                    "`except:` or `except BaseException:`, without raising it again?), so it may "
                    "still be running: restart the kernel to stop it."
                )
                generic = (
                    "Is it awaiting something that never happens (an Event nobody sets, a queue "
                    "nobody fills), or looping forever?"
                )
                raise TimedOut(
                    f"{name}() was still running after {timeout:g} s and was cancelled. "
                    f"{where or generic}{stuck}"
                )
        self.last = RunInfo(
            tasks=[_describe_task(t) for t in recorder.tasks],
            sessions=recorder.sessions,
            cpu=cpu,
            wall=wall,
        )
        if output.cut and not self.printed_by:
            self.printed_by = name
        try:
            result = learner.result()
        except NotImplementedError:
            await self._settle(recorder.tasks, name, allow_leaks=True)
            raise NotAttempted(
                f"{name}() still raises NotImplementedError: replace the stub "
                "(`# YOUR CODE HERE` / `raise NotImplementedError`) with your code."
            ) from None
        except _Runaway:
            await self._settle(recorder.tasks, name, allow_leaks=True)
            raise TimedOut(
                f"{name}() blocked the event loop for more than {timeout:g} s "
                f"({watch.where or 'in your code'}) and was stopped: a loop that never ends? "
                "Inside a coroutine every wait must be an `await`."
            ) from None
        except (CheckFailed, NotAttempted, LearnerError, TimedOut):
            await self._settle(recorder.tasks, name, allow_leaks=True)
            raise
        except _Exited as exc:
            await self._settle(recorder.tasks, name, allow_leaks=True)
            raise LearnerError(_exit_message(name, exc.__cause__)) from None
        except asyncio.CancelledError:
            await self._settle(recorder.tasks, name, allow_leaks=True)
            raise LearnerError(
                f"{name}() ended with CancelledError although nobody cancelled it: did it await a "
                "task that was cancelled, or raise CancelledError itself?"
            ) from None
        except MemoryError:
            await self._settle(recorder.tasks, name, allow_leaks=True)
            raise LearnerError(
                f"{name}() ran out of memory (MemoryError). Does something grow without end, "
                "such as a list filled in a loop that never stops?"
            ) from None
        except Exception as exc:
            # Tasks left behind on the error path are a defect of their own.
            await self._settle(recorder.tasks, name, allow_leaks=allow_leaks, after=f"raised {_describe(exc, 120)}")
            raise LearnerError(f"{name}() raised {describe_error(exc)}") from exc
        # A stall counts only if the watchdog caught the loop's thread inside the learner's
        # code: a kernel that merely waited for a busy CPU is not the learner's fault.
        if watch.blamed_stall >= BLOCK_LIMIT and watch.where is not None and not allow_blocking:
            await self._settle(recorder.tasks, name, allow_leaks=True)
            where = f" {watch.where}" if watch.where else ""
            advice = (
                "Printing that much takes time too: print a summary, or every 1000th line."
                if "print(" in where
                else "Inside a coroutine use `await asyncio.sleep()` instead of time.sleep(), "
                "aiohttp instead of urllib/requests, or asyncio.to_thread() for blocking code."
            )
            raise CheckFailed(
                f"{name}() blocked the event loop for {watch.blamed_stall:.2f} s{where}. Nothing else "
                f"can run meanwhile. {advice}"
            )
        await self._settle(recorder.tasks, name, allow_leaks=allow_leaks)
        # Only the learner's own coroutine is judged here: a check's driver coroutine may
        # return tasks on purpose, and calls ctx.no_awaitable() on what the learner returned.
        if not allow_awaitable and _is_learner_frame(getattr(getattr(coro, "cr_code", None), "co_filename", "")):
            self.no_awaitable(result, name)
        # Busy-waiting: of the time a CPU was free for the loop's thread, it ran most. (On a
        # busy machine a polling loop gets little CPU, but waits for one all the time.)
        if not allow_busy and cpu > BUSY_CPU and cpu > BUSY_SHARE * max(runnable, 0.01):
            raise CheckFailed(
                f"{name}() kept the CPU busy while it waited: {cpu:.2f} s of CPU time in "
                f"{wall:.2f} s. Polling in a loop (`while not done: await asyncio.sleep(0)`) "
                "wastes a core; await the thing itself instead (an Event, queue.get(), a task, "
                "asyncio.wait)."
            )
        return result

    def no_awaitable(self, result: Any, name: str) -> None:
        """Fail when ``result`` (or an element of it) is an un-awaited awaitable: the classic
        missing `await`. Called by ctx.run for the learner's own coroutine; a check's driver
        coroutine calls it on the values the learner's calls returned."""
        pending = _awaitable_inside(result)
        if pending is None:
            return
        _discard(pending)
        what = "returned" if pending is result else "returned a collection holding"
        raise CheckFailed(
            f"{name}() {what} {type(pending).__name__} object(s) instead of results: a missing "
            "`await`? Calling a coroutine function only creates the coroutine; `await` it "
            "(or await asyncio.gather(...) of them) to get its value."
        )

    async def _settle(
        self, tasks: list[asyncio.Task[Any]], name: str, *, allow_leaks: bool, after: str = "returned"
    ) -> None:
        """Judge the tasks the learner's code created, once its function has ended.

        Not done and never cancelled: a leak (closing a session makes their requests fail, but
        does not stop them). Cancelled but not yet done: they get a moment to finish, and must
        end cancelled. Ended with an exception nobody retrieved: reported. Whatever is still
        running at the end is cancelled, so nothing spills into the next scenario.
        """
        pending = [t for t in tasks if not t.done()]
        leaked = [t for t in pending if not t.cancelling()]
        cancelled = [t for t in pending if t.cancelling()]
        leak_report = _stuck_report(leaked)
        if cancelled:
            await asyncio.wait(cancelled, timeout=CANCEL_GRACE)
        ignored = [t for t in cancelled if not t.done()]
        # Cancelled (before or after the function ended) and yet it returned or raised
        # something else: it caught the CancelledError and carried on. (A deliberate
        # `uncancel()`, as asyncio.timeout and TaskGroup do, brings cancelling() back to 0.)
        carried_on = [t for t in tasks if _swallowed(t)]
        ignored_report = _stuck_report(ignored)
        unretrieved = [
            t for t in tasks
            if t.done() and not t.cancelled() and t not in carried_on
            and getattr(t, "_log_traceback", False) and t.exception() is not None
        ]
        for t in tasks:  # retrieved here: reported below, never also logged by asyncio later
            if t.done() and not t.cancelled():
                t.exception()
        still = [t for t in tasks if not t.done()]
        for t in still:
            t.cancel()
        if still:
            await asyncio.wait(still, timeout=1)
        for t in still:
            if t.done() and not t.cancelled():
                t.exception()  # retrieved: no "exception was never retrieved" later
        if allow_leaks:
            return
        if leaked:
            names = ", ".join(sorted({_describe_task(t) for t in leaked}))
            raise CheckFailed(
                f"{len(leaked)} task(s) were still running when {name}() {after}, and your code "
                f"had not cancelled them ({names}). {leak_report} Leaving `async with "
                "ClientSession()` makes their requests fail but does not stop the tasks. Cancel "
                "each task you no longer need and await it (e.g. `t.cancel()` then "
                "`await asyncio.gather(*rest, return_exceptions=True)`), or let a TaskGroup own them."
            )
        if ignored or carried_on:
            bad = ignored + carried_on
            names = ", ".join(sorted({_describe_task(t) for t in bad}))
            endings = [
                "returned a value" if t.exception() is None else f"raised {_describe(t.exception(), 80)}"
                for t in carried_on
            ]
            how = f" ({'; '.join(sorted(set(endings)))})" if endings else ""
            raise CheckFailed(
                f"{len(bad)} task(s) were cancelled but did not stop ({names}){how}: a "
                "task that catches CancelledError (with a bare `except:`, `except BaseException:` "
                "or `except asyncio.CancelledError:`) must raise it again after cleaning up. "
                f"{ignored_report}".strip(),
                hint="Catch only the failures you expect (e.g. `except aiohttp.ClientError:` or "
                "`except Exception:`), never a bare `except:` or `except BaseException:` around an "
                "await: CancelledError is a BaseException, so `except Exception:` lets it through. "
                "If you must catch it to clean up, end the handler with `raise`.",
            )
        if unretrieved:
            first = unretrieved[0]
            raise CheckFailed(
                f"{len(unretrieved)} task(s) failed and nobody looked at the error: "
                f"{_describe_task(first)} raised {_describe(first.exception(), 150)}. Await every "
                "task you create (or read t.exception()), so that its failure is handled rather "
                "than lost (asyncio would log 'Task exception was never retrieved')."
            )


@dataclass
class RunInfo:
    """What the last ``ctx.run`` saw: the tasks the learner's code created (by name), the
    aiohttp sessions it opened, its CPU time on the loop's thread and the wall time."""

    tasks: list[str] = field(default_factory=list)
    sessions: int = 0
    cpu: float = 0.0
    wall: float = 0.0


# --------------------------------------------------------------------------- running
def _user_namespace() -> dict[str, Any]:
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - outside IPython
        shell = None
    if shell is not None:
        return shell.user_ns
    return vars(sys.modules["__main__"])


async def evaluate(task_id: str, namespace: dict[str, Any] | None = None) -> Outcome:
    """Run the canonical check of ``task_id`` against ``namespace``; never raises."""
    t, fn = _check_for(task_id)
    ctx = CheckContext(t, namespace if namespace is not None else _user_namespace())

    def outcome(status: str, message: str, hint: str = "") -> Outcome:
        earned = t.points if status == "passed" else 0
        if status != "passed":
            gc.collect()  # free what the learner's code left behind (a MemoryError's big list)
        notes = [_shorten(n, 500) for n in ctx.notes]
        if ctx.printed_by:
            notes.append(
                f"{ctx.printed_by}() printed {ctx.output.written:,} characters; only the first "
                f"{ctx.output.limit:,} were shown."
            )
        _MISTAKE_HINTS[t.id] = hint
        return Outcome(t.id, t.title, status, _shorten(str(message)), t.points, earned, notes, hint)

    try:
        message = await fn(ctx)
        return outcome("passed", message)
    except CheckFailed as exc:
        return outcome("failed", str(exc), exc.hint)
    except NotAttempted as exc:
        return outcome("not attempted", str(exc), exc.hint)
    except TimedOut as exc:
        return outcome("timed out", str(exc), exc.hint)
    except LearnerError as exc:
        return outcome("error", str(exc), exc.hint)
    except _Runaway:
        return outcome("timed out", f"{t.function}() blocked the event loop too long and was stopped.")
    except (SystemExit, KeyboardInterrupt) as exc:
        return outcome("error", _exit_message(f"{t.function}", exc))
    except Exception as exc:  # a bug in the check itself, or the learner's data broke it
        return outcome("error", f"the check could not run: {_describe(exc)}")


async def grade(task_id: str) -> None:
    """Used by the grader: publish the outcome as machine-readable display data."""
    result = await evaluate(task_id)
    from IPython.display import display

    display({RESULT_MIME: asdict(result), "text/plain": f"{result.task}: {result.status}"}, raw=True)


# Symbols that the default fonts of every browser and terminal have (no emoji); the words
# next to them carry the meaning on their own.
ICONS = {"passed": "✓", "failed": "✗", "not attempted": "○", "error": "!", "timed out": "◷"}


def format_outcome(o: Outcome) -> str:
    head = f"{ICONS.get(o.status, '?')} Task {o.task} {o.title}: {o.status.upper()}"
    head += f" ({o.earned}/{o.points} points)"
    lines = [head, "   " + o.message]
    lines += ["   note: " + n for n in o.notes]
    if o.hint:
        lines.append(f'   Stuck? Run hint("{o.task}"): it starts with a hint for this very mistake.')
    elif not o.passed:
        lines.append(f'   Stuck? Run hint("{o.task}") for a hint.')
    return "\n".join(lines)


async def check(task_id: str) -> Outcome | None:
    """Instant feedback in the notebook: ``await check("1.1")``."""
    if os.environ.get(GRADING):
        print(f"(check {task_id} skipped: the grader runs the canonical checks itself)")
        return None
    try:
        manifest.task(str(task_id))
    except KeyError:
        known = ", ".join(t.id for m in manifest.graded_modules() for t in m.tasks)
        print(f"There is no task {task_id!r}. Tasks: {known}. Write it as a string: check(\"1.2\").")
        return None
    result = await evaluate(str(task_id))
    print(format_outcome(result))
    if os.environ.get(STRICT) and not result.passed:
        raise AssertionError(format_outcome(result))
    return result


# --------------------------------------------------------------------------- hints
def _hint_store() -> str:
    # In the learner's workspace, not among the course's files. Imported here: `python -m
    # asynclab.paths` (the git filter) must not find it imported already by the package.
    from . import paths

    return str(paths.hint_store())


def hints_seen(task_id: str) -> int:
    try:
        with open(_hint_store(), encoding="utf-8") as f:
            return int(json.load(f).get(task_id, 0))
    except (OSError, ValueError, TypeError, AttributeError):
        return 0


def _mark_seen(task_id: str, count: int) -> None:
    path = _hint_store()
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    try:
        seen = int(data.get(task_id, 0))
    except (TypeError, ValueError):
        seen = 0
    data[task_id] = max(count, seen)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
        os.replace(tmp, path)  # whole or not at all, even with the notebook and the grader both writing
    except OSError:
        pass  # a read-only folder: hints still show, they just do not advance


def next_hint(task_id: str) -> tuple[int, int, str]:
    """(number, total, text) of the next hint the learner has not seen (the last repeats)."""
    hints = manifest.task(task_id).hints
    n = min(hints_seen(task_id) + 1, len(hints))
    return n, len(hints), hints[n - 1]


_MISTAKE_HINTS: dict[str, str] = {}  # task id -> hint for the mistake its last check found


def hint(task_id: str) -> None:
    """Show the next hint for a task; each call reveals one more. When the task's last check
    recognised a mistake, the first call shows the hint for that mistake."""
    task_id = str(task_id)
    mistake = _MISTAKE_HINTS.pop(task_id, "")
    if mistake:
        print(f"Hint for the mistake your last check found (task {task_id}): {mistake}")
        print(f'Run hint("{task_id}") again for the general hints.')
        return
    try:
        n, total, text = next_hint(task_id)
    except KeyError:
        known = ", ".join(t.id for m in manifest.graded_modules() for t in m.tasks)
        print(f"There is no task {task_id!r}. Tasks: {known}. Write it as a string: hint(\"1.2\").")
        return
    if not os.environ.get(GRADING):
        _mark_seen(task_id, n)
    more = f' Run hint("{task_id}") again for the next one.' if n < total else ""
    print(f"Hint {n}/{total} for task {task_id}: {text}{more}")
