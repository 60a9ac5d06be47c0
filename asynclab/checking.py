"""Checks that run inside the learner's kernel: ``await check("1.1")`` and ``hint("1.1")``.

A check calls the learner's function against the lab service and judges what happened,
not only what came back: how many requests the service saw at once, whether the event loop
was blocked, whether tasks were left running. The checks themselves live in
``exercises_tests/checks_NN.py``; this module is the check API they share: the verdicts
(``CheckFailed``, ``NotAttempted``, ``LearnerError``, ``TimedOut``), ``Outcome``, the
registry (``@task``), ``CheckContext`` and ``RunInfo``, the output budget,
``prepare_grading_kernel``, and ``evaluate``, ``grade``, ``check`` and ``format_outcome``.
What ``CheckContext.run`` builds on lives next to it:

- ``asynclab.loopwatch``: the loop watch (a blocked loop, code that never gives control
  back, a busy machine's waiting for a CPU) and which frames are the learner's;
- ``asynclab.learner_tasks``: which tasks are the learner's, and where a stuck task waits;
- ``asynclab.explain``: plain words for what the learner's code raised;
- ``asynclab.hints``: ``hint()`` and the hints the learner has seen.

The names the checks, the grader and the tests use stay importable from here.

Outcome statuses: "passed", "failed", "not attempted", "error", "timed out".
"""

from __future__ import annotations

import asyncio
import difflib
import gc
import importlib
import inspect
import os
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import asdict, dataclass, field
from typing import Any

# `from .x import name as name`: not used here, re-exported for the checks, grader and tests.
from . import loopwatch, manifest
from .explain import _awaitable_inside, _describe, _discard, _exit_message, describe_error
from .explain import _leaves as _leaves
from .hints import _MISTAKE_HINTS
from .hints import hint as hint
from .hints import hints_seen as hints_seen
from .hints import next_hint as next_hint
from .learner_tasks import _describe_task, _learner, _stuck_report, _swallowed, _TaskRecorder
from .learner_tasks import _LearnerTask as _LearnerTask
from .loopwatch import BLOCK_LIMIT as BLOCK_LIMIT
from .loopwatch import LoopWatch, _is_learner_frame, _queued, _Runaway, _schedstat_path

RESULT_MIME = "application/vnd.asynclab.result+json"
GRADING = "ASYNCLAB_GRADING"  # set by the grader: inline check() cells become no-ops
STRICT = "ASYNCLAB_STRICT"  # set in tests: check() raises when a task does not pass
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


# --------------------------------------------------------------------------- guards
async def _guarded(coro: Any) -> Any:
    """Await the learner's coroutine. SystemExit and KeyboardInterrupt escaping a task would
    stop the event loop itself (and kill the kernel): turn them into an ordinary error."""
    try:
        return await coro
    except (SystemExit, KeyboardInterrupt) as exc:
        raise _Exited() from exc


def _shorten(message: str, limit: int = MESSAGE_LIMIT) -> str:
    return message if len(message) <= limit else message[:limit] + " ... (message shortened)"


# --------------------------------------------------------------------------- output budget
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
        # code: a kernel that merely waited for a busy CPU is not the learner's fault. (The
        # limit is read from the loop watch's module, so one value holds for both.)
        if watch.blamed_stall >= loopwatch.BLOCK_LIMIT and watch.where is not None and not allow_blocking:
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
