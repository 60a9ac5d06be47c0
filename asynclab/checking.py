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
import inspect
import json
import linecache
import os
import re
import signal
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
OUTPUT_LIMIT = 20_000  # characters of output a check lets through from the learner's code
MESSAGE_LIMIT = 2_000  # characters of an outcome's message (a huge repr must not flood the scoreboard)


# --------------------------------------------------------------------------- outcomes
class CheckFailed(Exception):
    """The learner's code ran but did the wrong thing; the message says what and what next."""


class NotAttempted(Exception):
    """The stub still raises NotImplementedError."""


class LearnerError(Exception):
    """The learner's code is missing or crashed."""


class TimedOut(Exception):
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
        self.where: str | None = None
        self.runaway = False
        self._beat = time.monotonic()
        self._stop = threading.Event()
        self._thread_id = threading.get_ident()
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

    def _watch(self) -> None:
        next_kick: float | None = None
        seen: collections.Counter[str] = collections.Counter()  # where the current stall was sampled
        longest = 0.0
        while not self._stop.wait(0.02):
            stalled = time.monotonic() - self._beat
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
    def __init__(self, limit: int) -> None:
        self.budget = _OutputBudget(limit)
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

    def expect(self, condition: object, message: str) -> None:
        if not condition:
            raise CheckFailed(message)

    async def run(
        self,
        coro: Coroutine[Any, Any, Any],
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - a limit for the learner's code
        allow_blocking: bool = False,
        allow_leaks: bool = False,
    ) -> Any:
        """Run the learner's coroutine as its own task and judge how it behaved.

        Raises NotAttempted, TimedOut, LearnerError or CheckFailed (blocked loop, tasks
        left running); returns the coroutine's result otherwise. What the code prints is
        cut after OUTPUT_LIMIT characters, so a print in a hot loop cannot flood the notebook.
        """
        name = getattr(coro, "__qualname__", "your function")
        timeout = timeout if timeout is not None else task_timeout(self.task)
        with (
            _LimitedOutput(OUTPUT_LIMIT) as output,
            _TaskRecorder() as recorder,
            LoopWatch(runaway_after=timeout) as watch,
        ):
            token = _learner.set(True)  # tasks created from here on are the learner's
            try:
                learner = asyncio.ensure_future(_guarded(coro))
            finally:
                _learner.reset(token)
            done, _ = await asyncio.wait({learner}, timeout=timeout)
            if not done:
                for t in [learner, *recorder.tasks]:
                    t.cancel()
                await asyncio.wait({learner}, timeout=1)
                stuck = "" if learner.done() else (
                    " It also ignored being cancelled (does it catch CancelledError without "
                    "raising it again?), so it may still be running: restart the kernel to stop it."
                )
                raise TimedOut(
                    f"{name}() was still running after {timeout:g} s and was cancelled. "
                    "Is it awaiting something that never happens (an Event nobody sets, "
                    f"a queue nobody fills), or looping forever?{stuck}"
                )
        if output.cut:
            self.notes.append(
                f"{name}() printed {output.written:,} characters; only the first "
                f"{output.limit:,} were shown."
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
        except _Exited as exc:
            raise LearnerError(_exit_message(name, exc.__cause__)) from None
        except asyncio.CancelledError:
            raise LearnerError(f"{name}() was cancelled from inside: it raised CancelledError.") from None
        except MemoryError:
            raise LearnerError(
                f"{name}() ran out of memory (MemoryError). Does something grow without end, "
                "such as a list filled in a loop that never stops?"
            ) from None
        except Exception as exc:
            raise LearnerError(f"{name}() raised {_describe(exc)}") from exc
        # A stall counts only if the watchdog caught the loop's thread inside the learner's
        # code: a kernel that merely waited for a busy CPU is not the learner's fault.
        if watch.max_stall >= BLOCK_LIMIT and watch.where is not None and not allow_blocking:
            where = f" {watch.where}" if watch.where else ""
            advice = (
                "Printing that much takes time too: print a summary, or every 1000th line."
                if "print(" in where
                else "Inside a coroutine use `await asyncio.sleep()` instead of time.sleep(), "
                "aiohttp instead of urllib/requests, or asyncio.to_thread() for blocking code."
            )
            raise CheckFailed(
                f"{name}() blocked the event loop for {watch.max_stall:.2f} s{where}. Nothing else "
                f"can run meanwhile. {advice}"
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
        if status != "passed":
            gc.collect()  # free what the learner's code left behind (a MemoryError's big list)
        notes = [_shorten(n, 500) for n in ctx.notes]
        return Outcome(t.id, t.title, status, _shorten(str(message)), t.points, earned, notes)

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
    return os.environ.get("ASYNCLAB_HINTS", str(manifest.ROOT / ".asynclab" / "hints.json"))


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


def hint(task_id: str) -> None:
    """Show the next hint for a task; each call reveals one more."""
    task_id = str(task_id)
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
