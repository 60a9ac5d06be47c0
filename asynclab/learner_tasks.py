"""Which tasks are the learner's, and where a stuck task waits.

- ``_learner``: set while ``CheckContext.run`` starts the learner's coroutine, so that the
  tasks made from it carry it;
- ``_created_by_learner``: whether the code that asks for a new task (or an aiohttp session)
  is the learner's, rather than asyncio's, a library's or the course's own;
- ``_TaskRecorder``: records the tasks the learner's code creates (a task factory) and counts
  the aiohttp sessions it opens;
- ``_LearnerTask`` and ``_swallowed``: telling a task that caught its cancellation and
  carried on from one whose TaskGroup cancelled it;
- ``_describe_task``, ``_waiting_at`` and ``_stuck_report``: where suspended tasks wait, in
  words, with advice for asyncio's usual waits (``_STUCK_ADVICE``).
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import importlib.util
import inspect
import linecache
import os
import sys
import sysconfig
from typing import Any

from .loopwatch import _is_learner_frame

_learner = contextvars.ContextVar("asynclab_learner", default=False)

_ASYNCIO_DIR = os.path.dirname(asyncio.__file__)
_OWN_DIRS = tuple(
    os.path.dirname(os.path.abspath(p)) + os.sep
    for p in (__file__, getattr(importlib.util.find_spec("exercises_tests"), "origin", None) or __file__)
)
_LIBRARY_DIRS = tuple(
    {os.path.abspath(sysconfig.get_paths()[k]) + os.sep for k in ("stdlib", "platstdlib", "purelib", "platlib")}
)

# The check machinery's own files (checking.py and the modules split from it): like
# asyncio's, their frames are passed over when looking for the code that asked for a task.
_MACHINERY = frozenset(
    os.path.join(os.path.dirname(__file__), f"{name}.py")
    for name in ("checking", "loopwatch", "learner_tasks", "explain", "hints")
)


def _created_by_learner(frame: Any) -> bool:
    """Whether the code that asked for a new task is the learner's: the first frame outside
    asyncio (gather, TaskGroup, as_completed...) and the check machinery (``_MACHINERY``) is
    in a notebook cell or in a file of the learner's own; library code (aiohttp) and the
    checks are not."""
    while frame is not None:
        filename = frame.f_code.co_filename
        if not (filename.startswith(_ASYNCIO_DIR) or filename in _MACHINERY):
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
