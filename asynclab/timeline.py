"""A timeline of your own tasks: what each asyncio task did, when, next to the lab service's
requests and the moments the event loop was blocked, all on one clock (time.monotonic).

    from asynclab.timeline import timeline

    async with timeline() as t:          # or: with timeline() as t:
        await fetch_all(urls)
    t.plot()                             # a Gantt chart, one row per task
    t.to_chrome_trace("/tmp/run.json")   # open it in https://ui.perfetto.dev

What is recorded, for the tasks created inside the block (and their tasks in turn):
- name, parent task, when it was created, when it first ran, how it ended (done,
  cancelled, failed) or that it was still pending when the block ended;
- the intervals in which it was *running* (each step the event loop gave it); the rest of
  its life it was *waiting*;
- the lab service's requests made during the block (``svc.stats()``, when a lab service is
  running), each inside the row of the task that made it when that is known (an aiohttp
  request made from a recorded task), else in a row of its own;
- the intervals in which the event loop was blocked: a heartbeat that ticks every 10 ms
  came back late by at least ``block_limit`` seconds.

How: a task factory (the one it replaces is restored when the block ends, also on an error)
creates the tasks; the loop's handles are timed while a timeline is open, and the handles
that run a recorded task's step are kept. Tasks are not wrapped, so ``task.get_coro()`` and
everything else about them stays as it was. Timelines can be nested; each sees the tasks
created inside it.

``steps=False`` records only when each task was created and ended (no step timing), for the
least overhead on large runs. ``feedback_figure(recorded, reference)`` draws a recorded
timeline above the expected one (``reference_timeline(...)`` draws an expected shape without
running anything), and ``figure_html(fig)`` puts a figure into an HTML page.
"""

from __future__ import annotations

import asyncio
import asyncio.events
import contextlib
import json
import math
import os
import re
import sys
import sysconfig
import threading
import time
import types
import urllib.parse
import weakref
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["timeline", "Timeline", "TaskRecord", "RequestRecord", "feedback_figure", "reference_timeline",
           "figure_html", "STYLE"]

TICK = 0.01  # seconds between heartbeats
MAX_STEPS = 20_000  # running intervals kept per task (a task that loops forever stays bounded)


class _Style(dict):  # type: ignore[type-arg]
    """The course's colours (``asynclab.timing.COLORS``): tasks are asyncio's blue, a blocked
    loop is the colour of sync code. Read on first use, so that recording (in a check, say)
    does not import matplotlib."""

    def __missing__(self, key: str) -> str:
        if self:
            raise KeyError(key)
        from asynclab.timing import COLORS

        self.update({
            "waiting": "#c6dbef",  # a light shade of COLORS["async"]
            "running": COLORS["async"],
            "request": COLORS["processes"],
            "request_error": COLORS["threads"],
            "request_cancelled": COLORS["floor"],
            "blocked": COLORS["sync"],
            "marker": COLORS["ideal"],
            "error": COLORS["sync"],
        })
        return self[key]


STYLE = _Style()
_monotonic = time.monotonic


# --------------------------------------------------------------------------- records
@dataclass(eq=False, slots=True)
class TaskRecord:
    """One task created inside a timeline. Times are time.monotonic() seconds."""

    coro_name: str
    created: float
    parent: TaskRecord | None = None
    task_name: str = ""
    first_run: float | None = None
    end: float | None = None
    state: str = "pending"  # "done", "cancelled", "failed", or "pending" (still running at the end)
    error: str | None = None  # "ValueError: boom" for a failed task
    runs: list[float] = field(default_factory=list, repr=False)  # flat: start, end, start, end...
    _ref: Any = field(default=None, repr=False)  # weakref to the task

    @property
    def name(self) -> str:
        """The task's own name if it was given one, else its coroutine's name."""
        # "None": Python 3.13.0 names every task made by a task factory so (fixed in 3.13.1).
        if self.task_name and self.task_name != "None" and not re.fullmatch(r"Task-\d+", self.task_name):
            return self.task_name
        return self.coro_name

    @property
    def running_intervals(self) -> list[tuple[float, float]]:
        r = self.runs
        return [(r[i], r[i + 1]) for i in range(0, len(r) - 1, 2)]

    @property
    def running_time(self) -> float:
        r = self.runs
        return sum(r[i + 1] - r[i] for i in range(0, len(r) - 1, 2))

    def _finish(self, task: asyncio.Task[Any], when: float) -> None:
        self.end = when
        self.task_name = task.get_name()
        if task.cancelled():
            self.state = "cancelled"
            return
        # Read the exception without marking it retrieved: "Task exception was never
        # retrieved" must still be logged for a failure that nobody looked at.
        exc = getattr(task, "_exception", None)
        if exc is None and not hasattr(task, "_exception"):
            with contextlib.suppress(Exception):
                exc = task.exception()
        if exc is not None:
            self.state = "failed"
            self.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        else:
            self.state = "done"


@dataclass(eq=False)
class RequestRecord:
    """One request seen by the lab service (or, without one, by aiohttp in this process)."""

    method: str
    path: str
    start: float
    end: float | None
    status: int | None = None
    outcome: str = "ok"  # "ok", "error", "cancelled", or "in flight" at the end
    task: TaskRecord | None = None  # the recorded task that made it, when known

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(eq=False)
class _ClientCall:
    method: str
    path: str
    start: float
    task: TaskRecord | None
    end: float | None = None
    outcome: str = "ok"
    used: bool = False

    @classmethod
    def parse(cls, call: list[Any]) -> _ClientCall:
        method, url, start, rec, end, outcome = call
        return cls(str(method).upper(), urllib.parse.urlsplit(str(url)).path or "/", start, rec, end, outcome)


# --------------------------------------------------------------------------- global hooks
# Shared by every open timeline: the recorded tasks that have not ended, by id (each record
# holds a weak reference to its task, which tells a reused id apart: a timeline must not keep
# alive a task that nothing else refers to), and the patched Handle._run / aiohttp request.
_by_id: dict[int, TaskRecord] = {}
_open: list[Timeline] = []
_hooks_lock = threading.Lock()
_original_run: Any = None
_original_request: Any = None


def _step_types() -> frozenset[type]:
    """The types of the callbacks through which the loop runs a task's step: found by
    creating a task on a throwaway loop (C tasks: a step wrapper and a builtin method;
    pure-Python tasks: bound methods)."""
    found: set[type] = {types.BuiltinMethodType}
    loop = asyncio.new_event_loop()
    try:
        async def nothing() -> None:
            await asyncio.sleep(0)

        task = loop.create_task(nothing())
        found |= {type(h._callback) for h in getattr(loop, "_ready", ())}
        loop.run_until_complete(task)
    except Exception:  # an unusual loop: look at bound methods as well
        found.add(types.MethodType)
    finally:
        loop.close()
    if asyncio.Task is getattr(asyncio.tasks, "_PyTask", None):
        found.add(types.MethodType)
    return frozenset(found)


_STEP_TYPES = _step_types()


def _timed_run(handle: asyncio.Handle) -> None:
    cb = handle._callback
    if type(cb) not in _STEP_TYPES:  # most handles: a transport's or a future's callback
        return _original_run(handle)
    task = getattr(cb, "__self__", None)  # a task's step or wakeup
    rec = _by_id.get(id(task))
    if rec is None or rec._ref() is not task:
        return _original_run(handle)
    start = _monotonic()
    try:
        return _original_run(handle)
    finally:
        end = _monotonic()
        if rec.first_run is None:
            rec.first_run = start
            rec.task_name = task.get_name()  # type: ignore[union-attr]
        runs = rec.runs
        if len(runs) < 2 * MAX_STEPS:
            runs.append(start)
            runs.append(end)
        if task.done():  # type: ignore[union-attr]
            rec._finish(task, end)  # type: ignore[arg-type]
            del _by_id[id(task)]


async def _recorded_request(session: Any, method: str, str_or_url: Any, *args: Any, **kwargs: Any) -> Any:
    task = asyncio.current_task()
    rec = _by_id.get(id(task))
    if rec is not None and rec._ref() is not task:
        rec = None
    # Kept cheap (a list, parsed later): this runs for every request made while recording.
    call = [method, str_or_url, _monotonic(), rec, None, "ok"]
    _calls.append(call)
    try:
        return await _original_request(session, method, str_or_url, *args, **kwargs)
    except asyncio.CancelledError:
        call[5] = "cancelled"
        raise
    except BaseException:
        call[5] = "error"
        raise
    finally:
        call[4] = _monotonic()


_calls: list[list[Any]] = []  # [method, url, start, task record, end, outcome] of every request


def _install_hooks(tl: Timeline) -> None:
    global _original_run, _original_request
    with _hooks_lock:
        if tl.steps and not any(other.steps for other in _open):
            _original_run = asyncio.events.Handle._run
            asyncio.events.Handle._run = _timed_run  # type: ignore[method-assign]
        if not _open:
            aiohttp = sys.modules.get("aiohttp")
            if aiohttp is not None:
                _original_request = aiohttp.ClientSession._request
                aiohttp.ClientSession._request = _recorded_request
        _open.append(tl)
        tl._first_call = len(_calls)


def _remove_hooks(tl: Timeline) -> None:
    with _hooks_lock:
        if tl in _open:
            _open.remove(tl)
        # The originals stay in the globals: another thread's loop may be inside
        # _timed_run right now and still need them.
        if not any(other.steps for other in _open) and asyncio.events.Handle._run is _timed_run:
            asyncio.events.Handle._run = _original_run  # type: ignore[method-assign]
        if not _open:
            _calls.clear()
            aiohttp = sys.modules.get("aiohttp")
            if aiohttp is not None and aiohttp.ClientSession._request is _recorded_request:
                aiohttp.ClientSession._request = _original_request


def _on_done(task: asyncio.Task[Any]) -> None:
    """Without step timing (steps=False): when a recorded task ends."""
    rec = _by_id.get(id(task))
    if rec is not None and rec._ref() is task and rec.end is None:
        rec._finish(task, _monotonic())
        del _by_id[id(task)]


_ASYNCIO_DIR = os.path.dirname(asyncio.__file__)
_LIBRARY_DIRS = tuple(
    {os.path.abspath(sysconfig.get_paths()[k]) + os.sep for k in ("stdlib", "platstdlib", "purelib", "platlib")}
)


def _made_by_a_library(frame: Any) -> bool:
    """Whether the code that asked for a task is a library's (aiohttp closing a session,
    say) rather than code of the course or the learner: the first frame outside asyncio
    and this module decides."""
    while frame is not None:
        filename = frame.f_code.co_filename
        verdict = _library_file.get(filename)
        if verdict is None:
            if filename.startswith(_ASYNCIO_DIR) or filename in _PASS_OVER:
                verdict = _library_file[filename] = 2  # look further out
            else:
                verdict = _library_file[filename] = int(os.path.abspath(filename).startswith(_LIBRARY_DIRS))
        if verdict != 2:
            return verdict == 1
        frame = frame.f_back
    return False


_library_file: dict[str, int] = {}  # file name -> 1 library, 0 not, 2 asyncio's or ours
_HERE = os.path.dirname(os.path.abspath(__file__))
# Frames passed over when looking for the code that asked for a task: this module, and the
# check machinery's task factory (a timeline can be open around a check's).
_PASS_OVER = frozenset({__file__, os.path.join(_HERE, "learner_tasks.py")})
# The check machinery's own coroutines (its loop watch, the wrapper that runs the learner's
# coroutine): not recorded, so that a check's timeline shows the learner's tasks only.
_MACHINERY_FILES = frozenset(os.path.join(_HERE, f"{name}.py") for name in ("checking", "loopwatch", "learner_tasks"))


def _short(qualname: str) -> str:
    return qualname.rsplit(".<locals>.", 1)[-1]


def _coro_name(coro: Any) -> str:
    name = getattr(coro, "__qualname__", None) or getattr(coro, "__name__", None)
    return _short(name) if isinstance(name, str) else type(coro).__name__


# --------------------------------------------------------------------------- the recorder
class Timeline:
    """Records while its ``with`` / ``async with`` block runs; then ``plot()``,
    ``to_chrome_trace(path)``, ``summary()``, and the records: ``tasks``, ``requests``,
    ``blocked`` (intervals, in time.monotonic() seconds)."""

    def __init__(self, svc: Any = "auto", *, block_limit: float = 0.05, title: str | None = None,
                 library_tasks: bool = False, steps: bool = True) -> None:
        self.svc = svc
        self.steps = steps
        self.library_tasks = library_tasks
        self.block_limit = block_limit
        self.title = title
        self.start: float = 0.0
        self.end: float | None = None
        self.tasks: list[TaskRecord] = []
        self.requests: list[RequestRecord] = []
        self.blocked: list[tuple[float, float]] = []
        self._calls: list[_ClientCall] = []
        self._first_call = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._previous_factory: Any = None
        self._heart: asyncio.Task[None] | None = None
        self._beat = 0.0
        self._recording = False
        self._service: Any = None

    # ---- recording
    def _factory(self, loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> Any:
        previous = self._previous_factory
        task = previous(loop, coro, **kwargs) if previous is not None else asyncio.Task(coro, loop=loop, **kwargs)
        code = getattr(coro, "cr_code", None)
        if not self._recording or code is _HEARTBEAT_CODE or (code is not None and code.co_filename in _MACHINERY_FILES):
            return task
        if not self.library_tasks and _made_by_a_library(sys._getframe(1)):
            return task
        rec = _by_id.get(id(task))
        if rec is None or rec._ref() is not task:  # not yet recorded by an outer timeline's factory
            current = asyncio.current_task(loop)
            parent = _by_id.get(id(current))
            if parent is not None and parent._ref() is not current:
                parent = None
            rec = TaskRecord(_coro_name(coro), _monotonic(), parent, _ref=weakref.ref(task))
            _by_id[id(task)] = rec
            if not self.steps:
                task.add_done_callback(_on_done)
        self.tasks.append(rec)
        return task

    async def _heartbeat(self) -> None:
        limit = self.block_limit
        while True:
            before = self._beat = _monotonic()
            await asyncio.sleep(TICK)
            now = _monotonic()
            if now - before - TICK >= limit:
                self.blocked.append((before + TICK, now))

    def __enter__(self) -> Timeline:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                "timeline() records asyncio tasks, so it needs a running event loop: use it "
                "inside async code (a notebook cell that awaits, or an async def)") from None
        self._loop = loop
        if self.svc == "auto":
            from asynclab import labservice

            running = labservice._LAB
            self._service = running if running is not None and running.alive else None
        else:
            self._service = self.svc or None
        self.start = self._beat = _monotonic()
        self._heart = loop.create_task(self._heartbeat(), name="timeline heartbeat")
        self._previous_factory = loop.get_task_factory()
        _install_hooks(self)
        try:
            loop.set_task_factory(self._factory)
        except BaseException:
            _remove_hooks(self)
            self._heart.cancel()
            raise
        self._recording = True
        return self

    def _close(self) -> None:
        if not self._recording:
            return
        self._recording = False
        self.end = now = _monotonic()
        try:
            loop = self._loop
            if loop is not None and loop.get_task_factory() == self._factory:
                loop.set_task_factory(self._previous_factory)
            if self._heart is not None:
                self._heart.cancel()
            if now - self._beat - TICK >= self.block_limit:  # a stall the heartbeat never woke from
                self.blocked.append((self._beat + TICK, now))
        finally:
            with _hooks_lock:
                self._calls = [_ClientCall.parse(c) for c in _calls[self._first_call:]]
            _remove_hooks(self)
        mine = {id(rec) for rec in self.tasks}
        for key, rec in list(_by_id.items()):
            task = rec._ref()
            if task is None:  # collected while pending (nothing referred to it)
                if not _open:
                    del _by_id[key]
                continue
            if id(rec) in mine:
                if task.done() and rec.end is None:  # ended outside a timed step
                    rec._finish(task, now)
                    del _by_id[key]
                elif not rec.task_name:
                    rec.task_name = task.get_name()
            if not _open and key in _by_id:
                del _by_id[key]

    def __exit__(self, *exc: object) -> None:
        self._close()
        self._collect_requests(wait=False)

    async def __aenter__(self) -> Timeline:
        return self.__enter__()

    async def __aexit__(self, *exc: object) -> None:
        self._close()
        if self._service is not None:
            await asyncio.to_thread(self._collect_requests, True)
        else:
            self._collect_requests(False)

    # ---- the lab service's requests
    def _collect_requests(self, wait: bool) -> None:
        t0, t1 = self.start, self.end or _monotonic()
        records: list[dict[str, Any]] = []
        if self._service is not None:
            try:
                for attempt in range(10):
                    stats = self._service.stats(wait_idle=False)
                    records = [r for r in stats.requests if t0 <= r["start"] <= t1]
                    # A request cancelled at the very end is seen ending a moment later.
                    if not wait or all(r["end"] is not None for r in records) or attempt == 9:
                        break
                    time.sleep(0.03)
            except OSError:
                records = []
        calls = sorted(self._calls, key=lambda c: c.start)
        by_path: dict[str, list[_ClientCall]] = defaultdict(list)
        for c in calls:
            by_path[c.path].append(c)
        requests: list[RequestRecord] = []
        for r in sorted(records, key=lambda r: r["start"]):
            outcome = r["outcome"] or ("in flight" if r["end"] is None else "ok")
            req = RequestRecord(r["method"], r["path"], r["start"], r["end"], r["status"], outcome)
            for c in by_path.get(r["path"], ()):  # the earliest call that can have sent it
                if c.used or c.start > r["start"] + 0.002:
                    continue
                if c.end is not None and c.end < r["start"] - 0.002:
                    continue
                c.used = True
                req.task = c.task
                break
            requests.append(req)
        if self._service is None:  # no lab service: what aiohttp in this process saw
            requests = [RequestRecord(c.method, c.path, c.start, c.end, None,
                                      c.outcome if c.end is not None else "in flight", c.task)
                        for c in calls]
        self.requests = requests
        self._calls = []

    # ---- reading
    @property
    def duration(self) -> float:
        return (self.end or _monotonic()) - self.start

    def summary(self) -> str:
        states = Counter(t.state for t in self.tasks)
        blocked = sum(b - a for a, b in self.blocked)
        parts = [f"{len(self.tasks)} tasks ({', '.join(f'{n} {s}' for s, n in states.most_common())})"
                 if self.tasks else "no tasks", f"{len(self.requests)} requests"]
        if blocked:
            parts.append(f"loop blocked {blocked:.2f} s")
        parts.append(f"{self.duration:.2f} s in all")
        return ", ".join(parts)

    def __repr__(self) -> str:
        return f"<Timeline: {self.summary()}>"

    def plot(self, *, max_rows: int = 300, ax: Any = None, title: str | None = None) -> Any:
        """The Gantt chart (a matplotlib Figure): one row per task, or per group of tasks
        beyond ``max_rows`` rows."""
        return _plot(self, max_rows=max_rows, ax=ax, title=title)

    def to_chrome_trace(self, path: str | Path | None = None) -> dict[str, Any]:
        """The trace in Chrome's trace event format (opens in ui.perfetto.dev or
        chrome://tracing); written to ``path`` when given, and returned."""
        trace = _chrome_trace(self)
        if path is not None:
            Path(path).write_text(json.dumps(trace), encoding="utf-8")
        return trace


def timeline(svc: Any = "auto", *, block_limit: float = 0.05, title: str | None = None,
             library_tasks: bool = False, steps: bool = True) -> Timeline:
    """Record the tasks created in a ``with`` / ``async with`` block (see the module's text).

    ``svc``: a LabService whose requests to include; "auto" (the default) takes the running
    one, None leaves requests out (then aiohttp requests made in this process are shown).
    ``block_limit``: how late the heartbeat must be for the loop to count as blocked (s).
    ``library_tasks``: also record the tasks that libraries start for themselves (aiohttp's,
    say); by default only the tasks your code (or the course's) asks for.
    ``steps``: time each step of every recorded task (when it was running, when waiting);
    False records only when each task was created and ended, for the least overhead.
    """
    return Timeline(svc, block_limit=block_limit, title=title, library_tasks=library_tasks, steps=steps)


_HEARTBEAT_CODE = Timeline._heartbeat.__code__


# --------------------------------------------------------------------------- rows
@dataclass
class _Row:
    label: str
    tasks: list[TaskRecord] = field(default_factory=list)
    requests: list[RequestRecord] = field(default_factory=list)
    start: float = 0.0


def _rows(tl: Timeline) -> list[_Row]:
    """One row per task (children under their parent, in order of creation) and one per
    request that no recorded task made, in time order."""
    task_rows: dict[int, _Row] = {}
    children: dict[int, list[TaskRecord]] = defaultdict(list)
    recorded = {id(t) for t in tl.tasks}
    roots: list[_Row] = []
    for t in tl.tasks:
        task_rows[id(t)] = _Row(t.name, [t], [], t.created)
        if t.parent is not None and id(t.parent) in recorded:
            children[id(t.parent)].append(t)
        else:
            roots.append(task_rows[id(t)])
    for r in tl.requests:
        if r.task is not None and id(r.task) in task_rows:
            task_rows[id(r.task)].requests.append(r)
        else:
            roots.append(_Row(r.label, [], [r], r.start))
    roots.sort(key=lambda row: row.start)
    ordered: list[_Row] = []
    stack = list(reversed(roots))
    while stack:
        row = stack.pop()
        ordered.append(row)
        if row.tasks:
            stack.extend(task_rows[id(c)] for c in reversed(children.get(id(row.tasks[0]), [])))
    return ordered


def _group_key(row: _Row) -> str:
    if row.tasks:
        return re.sub(r"[-_ #:]*\d+$", "", row.label) or row.label
    req = row.requests[0]
    return f"{req.method} " + re.sub(r"/[^/]*\d[^/]*$", "/…", req.path)


def _grouped(rows: list[_Row], max_rows: int) -> list[_Row]:
    groups: dict[str, _Row] = {}
    for row in rows:
        key = _group_key(row)
        g = groups.get(key)
        if g is None:
            g = groups[key] = _Row(key, [], [], row.start)
        g.tasks += row.tasks
        g.requests += row.requests
    out = list(groups.values())
    if len(out) > max_rows:  # still too many: the largest groups, and the rest together
        out.sort(key=lambda g: -(len(g.tasks) + len(g.requests)))
        rest = _Row("(other)", [], [], 0.0)
        for g in out[max_rows - 1:]:
            rest.tasks += g.tasks
            rest.requests += g.requests
        out = out[:max_rows - 1] + [rest]
    out.sort(key=lambda g: g.start)
    return out


# --------------------------------------------------------------------------- drawing
def _bars(ax: Any, x0: Any, x1: Any, y: Any, height: float, **kw: Any) -> None:
    import numpy as np
    from matplotlib.collections import PolyCollection

    x0, x1, y = np.asarray(x0, float), np.asarray(x1, float), np.asarray(y, float)
    if x0.size == 0:
        return
    h = height / 2
    verts = np.stack([np.stack([x0, y - h], 1), np.stack([x0, y + h], 1),
                      np.stack([x1, y + h], 1), np.stack([x1, y - h], 1)], 1)
    ax.add_collection(PolyCollection(verts, **kw))


def _request_color(r: RequestRecord) -> str:
    if r.outcome == "cancelled":
        return STYLE["request_cancelled"]
    if r.outcome == "error" or (r.status or 0) >= 400:
        return STYLE["request_error"]
    return STYLE["request"]


def _draw(tl: Timeline, ax: Any, rows: list[_Row], grouped: bool) -> None:
    import numpy as np

    t0, t_end = tl.start, (tl.end or _monotonic())
    n = len(rows)
    for a, b in _merged(tl.blocked):
        ax.axvspan(a - t0, b - t0, color=STYLE["blocked"], alpha=0.15, linewidth=0, zorder=0)
    life: list[tuple[float, float, float]] = []
    runs_x0: list[float] = []
    runs_x1: list[float] = []
    runs_y: list[float] = []
    reqs: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    cancel_x, cancel_y, error_x, error_y = [], [], [], []
    for i, row in enumerate(rows):
        y = n - 1 - i  # the first row on top
        if grouped:
            _draw_group(ax, row, y, t0, t_end)
        else:
            for t in row.tasks:
                life.append((t.created - t0, (t.end or t_end) - t0, y))
                r = np.asarray(t.runs, float)
                if r.size:
                    runs_x0.extend(r[0::2] - t0)
                    runs_x1.extend(r[1::2] - t0)
                    runs_y.extend([y] * (r.size // 2))
            for r in row.requests:
                reqs[_request_color(r)].append((r.start - t0, (r.end or t_end) - t0, y))
        for t in row.tasks:
            if t.state == "cancelled":
                cancel_x.append((t.end or t_end) - t0)
                cancel_y.append(y)
            elif t.state == "failed":
                error_x.append((t.end or t_end) - t0)
                error_y.append(y)
        if not row.tasks:  # a request of its own: cancelled ones get the × too
            for r in row.requests:
                if r.outcome == "cancelled":
                    cancel_x.append((r.end or t_end) - t0)
                    cancel_y.append(y)
    if life:
        a = np.asarray(life)
        _bars(ax, a[:, 0], a[:, 1], a[:, 2], 0.8, facecolor=STYLE["waiting"], linewidth=0, zorder=1)
    # Steps are often microseconds long: an edge keeps each one visible as a thin tick.
    _bars(ax, runs_x0, runs_x1, runs_y, 0.8, facecolor=STYLE["running"], edgecolor=STYLE["running"],
          linewidth=0.6, zorder=2)
    for color, items in reqs.items():
        a = np.asarray(items)
        _bars(ax, a[:, 0], a[:, 1], a[:, 2], 0.4, facecolor=color, linewidth=0, zorder=3)
    size = 7 if n <= 60 else 4
    if cancel_x:
        ax.scatter(cancel_x, cancel_y, marker="x", s=size * 5, color=STYLE["marker"], zorder=4, linewidths=1.2)
    if error_x:
        ax.scatter(error_x, error_y, marker="$!$", s=size * 12, color=STYLE["error"], zorder=4)


def _draw_group(ax: Any, row: _Row, y: float, t0: float, t_end: float) -> None:
    """A group row: how many of its tasks were alive (light) and how many of its requests
    in flight (green) over time, each scaled to the row's height."""
    import numpy as np

    for items, color, height in (
        ([(t.created, t.end or t_end) for t in row.tasks], STYLE["waiting"], 0.8),
        ([(r.start, r.end or t_end) for r in row.requests], STYLE["request"], 0.5),
    ):
        if not items:
            continue
        a = np.asarray(items, float) - t0
        times = np.concatenate([a[:, 0], a[:, 1]])
        deltas = np.concatenate([np.ones(len(a)), -np.ones(len(a))])
        order = np.lexsort((deltas, times))  # ends before starts at equal times
        level = np.cumsum(deltas[order])
        ax.fill_between(times[order], y - height / 2, y - height / 2 + height * level / max(level.max(), 1),
                        step="post", color=color, linewidth=0, zorder=1 if color == STYLE["waiting"] else 3)
    r = np.concatenate([np.asarray(t.runs, float) for t in row.tasks]) if row.tasks else np.empty(0)
    if r.size:
        _bars(ax, r[0::2] - t0, r[1::2] - t0, np.full(r.size // 2, y - 0.3), 0.2,
              facecolor=STYLE["running"], edgecolor=STYLE["running"], linewidth=0.3, zorder=2)


def _merged(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[list[float]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _row_label(row: _Row, grouped: bool) -> str:
    if not grouped:
        return row.label
    parts = []
    if row.tasks:
        states = Counter(t.state for t in row.tasks)
        extra = ", ".join(f"{states[s]} {s}" for s in ("cancelled", "failed", "pending") if states[s])
        parts.append(f"{row.label} ×{len(row.tasks)}" + (f" ({extra})" if extra else ""))
    if row.requests:
        parts.append(f"{len(row.requests)} req." if row.tasks else f"{row.label} ×{len(row.requests)}")
    return ", ".join(parts)


def _legend_handles(tl: Timeline, grouped: bool) -> list[Any]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    if tl.tasks:
        handles.append(Patch(color=STYLE["waiting"], label="task alive" if grouped else "task waiting"))
        if any(t.runs for t in tl.tasks):
            handles.append(Patch(color=STYLE["running"], label="task running"))
    outcomes = {_request_color(r) for r in tl.requests}
    for color, label in ((STYLE["request"], "lab request" if tl._service is not None else "request"), (STYLE["request_error"], "request: error status"),
                         (STYLE["request_cancelled"], "request cancelled")):
        if color in outcomes:
            handles.append(Patch(color=color, label=label))
    if tl.blocked:
        handles.append(Patch(color=STYLE["blocked"], alpha=0.15, label="event loop blocked"))
    states = {t.state for t in tl.tasks} | {"cancelled" for r in tl.requests if r.outcome == "cancelled" and r.task is None}
    if "cancelled" in states:
        handles.append(Line2D([], [], marker="x", linestyle="", color=STYLE["marker"], label="cancelled"))
    if "failed" in states:
        handles.append(Line2D([], [], marker="$!$", linestyle="", color=STYLE["error"], markersize=9,
                              label="failed (exception)"))
    return handles


def _axes_for(rows: int, ax: Any) -> tuple[Any, Any, bool]:
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax.get_figure(), ax, False
    height = min(max(2.2, 1.3 + 0.24 * rows), 11.0)
    fig, ax = plt.subplots(figsize=(8, height))
    return fig, ax, True


def _release(fig: Any, created: bool) -> Any:
    import matplotlib
    import matplotlib.pyplot as plt

    backend = matplotlib.get_backend().lower()
    if created and ("inline" in backend or backend in ("agg", "pdf", "svg", "ps", "cairo")):
        plt.close(fig)  # Jupyter then shows the returned figure once
    return fig


def _plot(tl: Timeline, *, max_rows: int, ax: Any, title: str | None, legend: bool = True) -> Any:
    rows = _rows(tl)
    grouped = len(rows) > max_rows
    if grouped:
        rows = _grouped(rows, max_rows)
    fig, ax, created = _axes_for(len(rows), ax)
    _draw(tl, ax, rows, grouped)
    n = len(rows)
    # Axes that share x (timelines compared one above the other) get the longest span.
    span = max(tl.duration, 1e-3)
    ax._asynclab_span = span
    span = max(getattr(a, "_asynclab_span", 0.0) for a in ax.get_shared_x_axes().get_siblings(ax))
    ax.set_xlim(-0.01 * span, span * 1.02)
    ax.set_ylim(-0.7, max(n, 1) - 0.3)
    step = max(1, math.ceil(n / 40))  # at most about 40 labels
    ticks = list(range(0, n, step))
    ax.set_yticks([n - 1 - i for i in ticks])
    ax.set_yticklabels([_row_label(rows[i], grouped)[:40] for i in ticks], fontsize="small" if n <= 20 else "x-small")
    ax.set_xlabel("time since the block started (s)")
    ax.set_ylabel("tasks, grouped by name" if grouped else "tasks and requests", fontsize="small")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(title or tl.title or tl.summary(), fontsize="medium")
    if legend:
        handles = _legend_handles(tl, grouped)
        if handles:
            ax.legend(handles=handles, fontsize="x-small", loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    if created:
        fig.tight_layout()
    return _release(fig, created)


# --------------------------------------------------------------------------- Chrome trace
def _chrome_trace(tl: Timeline) -> dict[str, Any]:
    t0, t_end = tl.start, (tl.end or _monotonic())

    def us(t: float) -> float:
        return round((t - t0) * 1e6, 1)

    events: list[dict[str, Any]] = [
        {"ph": "M", "name": "process_name", "pid": 0, "tid": 0, "args": {"name": "event loop"}},
        {"ph": "M", "name": "process_name", "pid": 1, "tid": 0, "args": {"name": "asyncio tasks"}},
        {"ph": "M", "name": "process_name", "pid": 2, "tid": 0, "args": {"name": "lab service requests"}},
        {"ph": "M", "name": "thread_name", "pid": 0, "tid": 0, "args": {"name": "loop"}},
    ]
    for a, b in _merged(tl.blocked):
        events.append({"ph": "X", "name": "loop blocked", "cat": "loop", "pid": 0, "tid": 0,
                       "ts": us(a), "dur": us(b) - us(a)})
    tids: dict[int, int] = {}
    for i, t in enumerate(tl.tasks, start=1):
        tids[id(t)] = i
        end = t.end or t_end
        parent = tids.get(id(t.parent)) if t.parent is not None else None
        events.append({"ph": "M", "name": "thread_name", "pid": 1, "tid": i, "args": {"name": f"{t.name} #{i}"}})
        events.append({"ph": "X", "name": t.name, "cat": "task", "pid": 1, "tid": i, "ts": us(t.created),
                       "dur": max(us(end) - us(t.created), 0.0),
                       "args": {"state": t.state, "parent": parent, "task_name": t.task_name,
                                **({"error": t.error} if t.error else {})}})
        for a, b in t.running_intervals:
            events.append({"ph": "X", "name": "running", "cat": "step", "pid": 1, "tid": i,
                           "ts": us(a), "dur": max(us(b) - us(a), 0.0)})
        if t.state in ("cancelled", "failed"):
            events.append({"ph": "i", "s": "t", "name": t.state if t.state == "cancelled" else f"failed: {t.error}",
                           "cat": "task", "pid": 1, "tid": i, "ts": us(end)})
    lane = len(tl.tasks) + 1
    for r in tl.requests:
        tid = tids.get(id(r.task)) if r.task is not None else None
        if tid is None:
            tid, lane = lane, lane + 1
        end = r.end or t_end
        events.append({"ph": "X", "name": r.label, "cat": "request", "pid": 2, "tid": tid, "ts": us(r.start),
                       "dur": max(us(end) - us(r.start), 0.0),
                       "args": {"status": r.status, "outcome": r.outcome}})
    return {"traceEvents": events, "displayTimeUnit": "ms",
            "otherData": {"source": "asynclab.timeline", "summary": tl.summary()}}


# --------------------------------------------------------------------------- feedback
def feedback_figure(recorded: Timeline, reference: Timeline, *, what: str = "", max_rows: int = 60) -> Any:
    """The learner's recorded timeline above the reference behaviour's, on the same time
    scale, so that "your requests ran one at a time" is seen, not only read. ``what`` is a
    short caption (the check's verdict). Returns a matplotlib Figure."""
    import matplotlib.pyplot as plt

    rows = [min(len(_rows(tl)), max_rows) for tl in (recorded, reference)]
    heights = [max(2, r) for r in rows]
    fig_h = min(max(3.5, 1.6 + 0.2 * sum(heights)), 11.0)
    fig, axes = plt.subplots(2, 1, figsize=(8, fig_h), sharex=True, height_ratios=heights)
    for ax, tl, label in ((axes[0], recorded, "your code"), (axes[1], reference, "expected")):
        _plot(tl, max_rows=max_rows, ax=ax, title=f"{label}: {tl.summary()}", legend=False)
        ax.set_xlabel("")
        ax.set_ylabel(label)
    span = max(recorded.duration, reference.duration, 1e-3)
    axes[1].set_xlim(-0.01 * span, span * 1.02)
    axes[1].set_xlabel("time since the start (s)")
    handles: dict[str, Any] = {}
    for tl in (recorded, reference):
        for h in _legend_handles(tl, False):
            handles.setdefault(h.get_label(), h)
    if handles:
        fig.legend(handles=list(handles.values()), fontsize="x-small", loc="upper right")
    if what:
        fig.suptitle(what, fontsize="medium", x=0.02, ha="left")
    fig.tight_layout(rect=(0, 0, 0.82 if handles else 1, 1))
    return _release(fig, True)


def reference_timeline(requests: int, latency: float, *, at_once: int | None = None,
                       name: str = "task", tasks: bool = True, path: str = "/items/{i}") -> Timeline:
    """An expected shape, drawn without running anything: ``requests`` requests of
    ``latency`` seconds, at most ``at_once`` at a time (all at once by default), each in a
    task of its own (``tasks=True``, named ``name``) or made one after the other by one
    coroutine (``tasks=False``; at_once is then 1). For ``feedback_figure``'s reference."""
    at_once = max(1, requests if at_once is None else at_once) if tasks else 1
    how = "all" if at_once >= requests else f"at most {at_once}"
    tl = Timeline(None, title=f"{requests} requests, {how} at once")
    tl.start, tl.end = 0.0, math.ceil(requests / at_once) * latency
    for i in range(requests):
        start = (i // at_once) * latency
        owner = None
        if tasks:
            owner = TaskRecord(name, 0.0, first_run=0.0, end=start + latency, state="done",
                               runs=[0.0, 0.0, start + latency, start + latency])
            tl.tasks.append(owner)
        tl.requests.append(RequestRecord("GET", path.format(i=i), start, start + latency, 200, "ok", owner))
    return tl


def figure_html(fig: Any, *, dpi: int = 90) -> str:
    """The figure as an HTML <img> (a PNG inside the page): for HTML reports."""
    import base64
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="timeline" src="data:image/png;base64,{data}">'
