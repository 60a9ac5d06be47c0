"""Checks that run inside the learner's kernel: ``await check("1.1")`` and ``hint("1.1")``.

A check calls the learner's function against the lab service and judges what happened,
not only what came back: how many requests the service saw at once, whether the event loop
was blocked, whether tasks were left running. The checks themselves live in
``exercises_tests/checks_NN.py``; this module is the machinery they share.

Outcome statuses: "passed", "failed", "not attempted", "error", "timed out".
"""

from __future__ import annotations

import asyncio
import contextvars
import ctypes
import importlib
import inspect
import json
import linecache
import os
import sys
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


# --------------------------------------------------------------------------- outcomes
class CheckFailed(Exception):
    """The learner's code ran but did the wrong thing; the message says what and what next."""


class NotAttempted(Exception):
    """The stub still raises NotImplementedError."""


class LearnerError(Exception):
    """The learner's code is missing or crashed."""


class TimedOut(Exception):
    """The learner's code did not finish in time."""


class _Runaway(Exception):
    """Injected into a coroutine stuck in a synchronous loop, so the kernel survives."""


@dataclass
class Outcome:
    task: str
    title: str
    status: str
    message: str
    points: int
    earned: int
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == "passed"


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


def _is_learner_frame(filename: str) -> bool:
    # IPython compiles each notebook cell to a file like /tmp/ipykernel_123/456.py.
    return "ipykernel_" in filename or filename.startswith("<ipython-input")


def _learner_location(frame: Any) -> str | None:
    stack = traceback.extract_stack(frame)
    for fs in reversed(stack):
        if _is_learner_frame(fs.filename):
            line = (fs.line or linecache.getline(fs.filename, fs.lineno or 0)).strip()
            return f"in {fs.name}(), at `{line}`" if line else f"in {fs.name}()"
    return None


class LoopWatch:
    """Measures how long the event loop stalls while the learner's code runs.

    A heartbeat task ticks every 10 ms; a watchdog thread notices when it stops ticking
    and records where the loop's thread is stuck. A stall in the learner's code longer
    than ``runaway_after`` seconds gets an exception injected into it, so a synchronous
    infinite loop ends the check instead of hanging the kernel.
    """

    def __init__(self, runaway_after: float | None = None) -> None:
        self.runaway_after = runaway_after
        self.max_stall = 0.0
        self.where: str | None = None
        self.runaway = False
        self._beat = time.monotonic()
        self._stop = threading.Event()
        self._thread_id = threading.get_ident()
        self._task: asyncio.Task[None] | None = None
        self._watchdog = threading.Thread(target=self._watch, daemon=True)

    async def _heartbeat(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            self._beat = time.monotonic()
            await asyncio.sleep(0.01)
            self.max_stall = max(self.max_stall, loop.time() - before - 0.01)

    def _watch(self) -> None:
        injected = False
        while not self._stop.wait(0.02):
            stalled = time.monotonic() - self._beat
            if stalled < BLOCK_LIMIT:
                injected = False
                continue
            frame = sys._current_frames().get(self._thread_id)
            where = _learner_location(frame) if frame is not None else None
            if where and (self.where is None or stalled > self.max_stall):
                self.where = where
            if (
                where
                and self.runaway_after is not None
                and stalled > self.runaway_after
                and not injected
            ):
                injected = self.runaway = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(self._thread_id), ctypes.py_object(_Runaway)
                )

    def __enter__(self) -> LoopWatch:
        self._task = asyncio.get_running_loop().create_task(self._heartbeat())
        self._watchdog.start()
        return self

    def __exit__(self, *exc: object) -> None:
        # The heartbeat may not have woken since the last stall: count that stall too.
        self.max_stall = max(self.max_stall, time.monotonic() - self._beat - 0.01)
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
        self._watchdog.join(timeout=1)


class _TaskRecorder:
    """Records the tasks the learner's code creates (via a task factory)."""

    def __init__(self) -> None:
        self.tasks: list[asyncio.Task[Any]] = []
        self._loop = asyncio.get_running_loop()
        self._previous = self._loop.get_task_factory()

    def _factory(self, loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> Any:
        if self._previous is not None:
            t = self._previous(loop, coro, **kwargs)
        else:
            t = asyncio.Task(coro, loop=loop, **kwargs)
        if _learner.get():
            self.tasks.append(t)
        return t

    def __enter__(self) -> _TaskRecorder:
        self._loop.set_task_factory(self._factory)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.set_task_factory(self._previous)


def _describe_task(t: asyncio.Task[Any]) -> str:
    coro = t.get_coro()
    name = getattr(coro, "__qualname__", None) or t.get_name()
    return f"{name}()"


# --------------------------------------------------------------------------- context
class CheckContext:
    """What a check function gets: the learner's namespace, the lab service, helpers."""

    def __init__(self, task: manifest.Task, namespace: dict[str, Any]) -> None:
        self.task = task
        self.namespace = namespace
        self._lab: Any = None
        self.notes: list[str] = []

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
            raise LearnerError(
                f"MISSING FUNCTION {name}: did you rename it, or has its cell not run yet? "
                f"Keep the name `{name}` and run its cell (or Run > Run All Cells) before checking."
            )
        if not callable(obj):
            raise LearnerError(f"`{name}` is a {type(obj).__name__}, not a function.")
        if is_async and not inspect.iscoroutinefunction(obj):
            raise CheckFailed(
                f"`{name}` must be a coroutine function: define it with `async def {name}(...)`."
            )
        return obj

    def expect(self, condition: object, message: str) -> None:
        if not condition:
            raise CheckFailed(message)

    async def run(
        self,
        coro: Coroutine[Any, Any, Any],
        *,
        timeout: float | None = None,
        allow_blocking: bool = False,
        allow_leaks: bool = False,
    ) -> Any:
        """Run the learner's coroutine as its own task and judge how it behaved.

        Raises NotAttempted, TimedOut, LearnerError or CheckFailed (blocked loop, tasks
        left running); returns the coroutine's result otherwise.
        """
        name = getattr(coro, "__qualname__", "your function")
        timeout = timeout if timeout is not None else task_timeout(self.task)
        with _TaskRecorder() as recorder, LoopWatch(runaway_after=timeout) as watch:
            token = _learner.set(True)  # tasks created from here on are the learner's
            try:
                learner = asyncio.ensure_future(coro)
            finally:
                _learner.reset(token)
            done, _ = await asyncio.wait({learner}, timeout=timeout)
            if not done:
                learner.cancel()
                await asyncio.wait({learner}, timeout=1)
                raise TimedOut(
                    f"{name}() was still running after {timeout:g} s and was cancelled. "
                    "Is it awaiting something that never happens (an Event nobody sets, "
                    "a queue nobody fills), or looping forever?"
                )
        try:
            result = learner.result()
        except NotImplementedError:
            raise NotAttempted(
                f"{name}() still raises NotImplementedError: replace the stub "
                "(`# YOUR CODE HERE` / `raise NotImplementedError`) with your code."
            ) from None
        except _Runaway:
            raise TimedOut(
                f"{name}() blocked the event loop for more than {timeout:g} s "
                f"({watch.where or 'in your code'}) and was stopped: a loop that never ends? "
                "Inside a coroutine every wait must be an `await`."
            ) from None
        except (CheckFailed, NotAttempted, LearnerError, TimedOut):
            raise
        except asyncio.CancelledError:
            raise LearnerError(f"{name}() was cancelled from inside: it raised CancelledError.") from None
        except Exception as exc:
            raise LearnerError(f"{name}() raised {type(exc).__name__}: {exc}") from exc
        if watch.max_stall >= BLOCK_LIMIT and not allow_blocking:
            where = f" {watch.where}" if watch.where else ""
            raise CheckFailed(
                f"{name}() blocked the event loop for {watch.max_stall:.2f} s{where}. Nothing else "
                "can run meanwhile. Inside a coroutine use `await asyncio.sleep()` instead of "
                "time.sleep(), aiohttp instead of urllib/requests, or asyncio.to_thread() for "
                "blocking code."
            )
        await self._settle(recorder.tasks, allow_leaks)
        return result

    async def _settle(self, tasks: list[asyncio.Task[Any]], allow_leaks: bool) -> None:
        pending = [t for t in tasks if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=0.5)
        leaked = [t for t in tasks if not t.done()]
        for t in leaked:
            t.cancel()
        if leaked:
            await asyncio.wait(leaked, timeout=1)
        if leaked and not allow_leaks:
            names = ", ".join(sorted({_describe_task(t) for t in leaked}))
            raise CheckFailed(
                f"{len(leaked)} task(s) were still running after your function returned "
                f"({names}). Cancel the tasks you no longer need and await them, or use "
                "`async with asyncio.TaskGroup()` so that none can outlive the function."
            )


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

    def outcome(status: str, message: str) -> Outcome:
        earned = t.points if status == "passed" else 0
        return Outcome(t.id, t.title, status, message, t.points, earned, ctx.notes)

    try:
        message = await fn(ctx)
        return outcome("passed", message)
    except CheckFailed as exc:
        return outcome("failed", str(exc))
    except NotAttempted as exc:
        return outcome("not attempted", str(exc))
    except TimedOut as exc:
        return outcome("timed out", str(exc))
    except LearnerError as exc:
        return outcome("error", str(exc))
    except Exception as exc:  # a bug in the check itself, or the learner's data broke it
        return outcome("error", f"the check could not run: {type(exc).__name__}: {exc}")


async def grade(task_id: str) -> None:
    """Used by the grader: publish the outcome as machine-readable display data."""
    result = await evaluate(task_id)
    from IPython.display import display

    display({RESULT_MIME: asdict(result), "text/plain": f"{result.task}: {result.status}"}, raw=True)


ICONS = {"passed": "✅", "failed": "❌", "not attempted": "⬜", "error": "💥", "timed out": "⏱"}


def format_outcome(o: Outcome) -> str:
    head = f"{ICONS.get(o.status, '?')} Task {o.task} {o.title}: {o.status.upper()}"
    head += f" ({o.earned}/{o.points} points)"
    lines = [head, "   " + o.message]
    lines += ["   note: " + n for n in o.notes]
    if not o.passed:
        lines.append(f'   Stuck? Run hint("{o.task}") for a hint.')
    return "\n".join(lines)


async def check(task_id: str) -> Outcome | None:
    """Instant feedback in the notebook: ``await check("1.1")``."""
    if os.environ.get(GRADING):
        print(f"(check {task_id} skipped: the grader runs the canonical checks itself)")
        return None
    result = await evaluate(task_id)
    print(format_outcome(result))
    if os.environ.get(STRICT) and not result.passed:
        raise AssertionError(format_outcome(result))
    return result


# --------------------------------------------------------------------------- hints
def _hint_store() -> str:
    return os.environ.get("ASYNCLAB_HINTS", str(manifest.ROOT / ".asynclab" / "hints.json"))


def hints_seen(task_id: str) -> int:
    try:
        with open(_hint_store(), encoding="utf-8") as f:
            return int(json.load(f).get(task_id, 0))
    except (OSError, ValueError):
        return 0


def _mark_seen(task_id: str, count: int) -> None:
    path = _hint_store()
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        data = {}
    data[task_id] = max(count, int(data.get(task_id, 0)))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)


def next_hint(task_id: str) -> tuple[int, int, str]:
    """(number, total, text) of the next hint the learner has not seen (the last repeats)."""
    hints = manifest.task(task_id).hints
    n = min(hints_seen(task_id) + 1, len(hints))
    return n, len(hints), hints[n - 1]


def hint(task_id: str) -> None:
    """Show the next hint for a task; each call reveals one more."""
    n, total, text = next_hint(task_id)
    if not os.environ.get(GRADING):
        _mark_seen(task_id, n)
    more = f' Run hint("{task_id}") again for the next one.' if n < total else ""
    print(f"Hint {n}/{total} for task {task_id}: {text}{more}")
