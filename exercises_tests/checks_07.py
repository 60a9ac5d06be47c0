"""Checks for module 07: async web services, aiohttp.web and FastAPI, measured under load.

Every check serves the learner's app with ``asynclab.web.ServerThread`` (127.0.0.1, a free
port, a thread with an event loop of its own, always stopped), drives it with real HTTP
requests from the kernel's loop, and judges what was observed rather than stopwatch times
wherever it can: the answers and their statuses, the lab service's records (how many
backend requests were in flight at once, when an upstream request ended), instrumented
handlers and blocking functions (how many ran at once, on which thread), the aiohttp
sessions and aiosqlite connections the learner's code opened (and whether they were closed),
and the learner's tasks still running when the app had shut down. Where a time is judged, it
is compared with something measured in the same check (a baseline, another answer) or with
a gap far larger than a busy machine's noise.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from asynclab.checking import (
    CheckContext,
    CheckFailed,
    LearnerError,
    NotAttempted,
    TimedOut,
    describe_error,
    task,
    task_timeout,
)
from asynclab.learner_tasks import _describe_task
from asynclab.loopwatch import _is_learner_frame
from asynclab.web import ServerStuck, ServerThread
from exercises_tests.helpers import item_value

DB_SOURCE = Path(__file__).resolve().parent.parent / "data" / "shop.sqlite"
LOGGERS = ("aiohttp.server", "aiohttp.web", "aiohttp.access", "uvicorn", "uvicorn.error", "asyncio")


# --------------------------------------------------------------------------- shared
class _CheckError(RuntimeError):
    """Raised by the check's own handlers on purpose (e.g. /boom): never the learner's."""


class _Logs(logging.Handler):
    """What the servers logged while a check ran (aiohttp's "Error handling request",
    uvicorn's "Exception in ASGI application", asyncio's lost task exceptions): kept here
    instead of being printed under the check, and read for the learner's exceptions."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self._saved: list[tuple[logging.Logger, bool, int]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> _Logs:
        for name in LOGGERS:
            logger = logging.getLogger(name)
            self._saved.append((logger, logger.propagate, logger.level))
            logger.addHandler(self)
            logger.propagate = False
            if logger.level == logging.NOTSET or logger.level > logging.ERROR:
                logger.setLevel(logging.ERROR)
        return self

    def __exit__(self, *exc: object) -> None:
        for logger, propagate, level in self._saved:
            logger.removeHandler(self)
            logger.propagate = propagate
            logger.setLevel(level)

    def errors(self) -> list[BaseException]:
        """The exceptions the learner's code raised inside the server (not the check's own)."""
        out = []
        for r in self.records:
            if r.name == "asyncio":
                continue  # a lost task exception: see lost(), judged by the check where it matters
            exc = r.exc_info[1] if r.exc_info else None
            if exc is None or isinstance(exc, (_CheckError, web.HTTPException, asyncio.CancelledError)):
                continue
            if isinstance(exc, (ConnectionError, aiohttp.ClientConnectionResetError)):
                continue  # a client that went away while the server wrote: the check did that
            out.append(exc)
        return out


def _raise_learner_errors(logs: _Logs, name: str) -> None:
    """The learner's code raised inside the server: say so in plain words (a stub: not attempted)."""
    errors = logs.errors()
    for exc in errors:
        if isinstance(exc, NotImplementedError):
            raise NotAttempted(
                f"{name}() still raises NotImplementedError: replace the stub "
                "(`# YOUR CODE HERE` / `raise NotImplementedError`) with your code."
            )
    if errors:
        exc = errors[0]
        more = f" ({len(errors)} requests failed like this)" if len(errors) > 1 else ""
        raise LearnerError(
            f"{name}() raised {describe_error(exc)} while the app answered a request; the client "
            f"got status 500{more}."
        ) from exc


def _build(fn: Callable[..., Any], name: str, *args: Any) -> Any:
    """Call the learner's factory (sync): a stub is 'not attempted', an exception an error."""
    try:
        made = fn(*args)
    except NotImplementedError:
        raise NotAttempted(
            f"{name}() still raises NotImplementedError: replace the stub "
            "(`# YOUR CODE HERE` / `raise NotImplementedError`) with your code."
        ) from None
    except Exception as exc:
        raise LearnerError(f"{name}() raised {describe_error(exc)}") from exc
    if asyncio.iscoroutine(made):
        made.close()
        raise CheckFailed(f"{name}() returned a coroutine: define it with plain `def`, not `async def`.")
    return made


def _opened_by_learner() -> bool:
    """Whether the code that is making an object (a session, a connection) is a notebook cell's:
    the first frame outside aiohttp, aiosqlite and this module decides."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if not any(part in name for part in ("/aiohttp/", "/aiosqlite/", "\\aiohttp\\", "\\aiosqlite\\")):
            return _is_learner_frame(name)
        frame = frame.f_back
    return False


class _Opened:
    """The aiohttp sessions and aiosqlite connections that the learner's code opens (a cell's
    frame on the stack), in any thread, while the block runs; kept to see if they were closed."""

    def __init__(self) -> None:
        self.sessions: list[aiohttp.ClientSession] = []
        self.connections: list[Any] = []
        self._restore: list[tuple[type, Any]] = []

    def __enter__(self) -> _Opened:
        import aiosqlite.core

        for cls, kept in ((aiohttp.ClientSession, self.sessions), (aiosqlite.core.Connection, self.connections)):
            original = cls.__init__

            def counting(obj: Any, *args: Any, _init: Any = original, _kept: list[Any] = kept, **kwargs: Any) -> None:
                if _opened_by_learner():
                    _kept.append(obj)
                _init(obj, *args, **kwargs)

            self._restore.append((cls, original))
            cls.__init__ = counting  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        for cls, original in self._restore:
            cls.__init__ = original  # type: ignore[method-assign]


@contextlib.asynccontextmanager
async def _serving(app: Any, what: str, logs: _Logs, name: str) -> AsyncIterator[ServerThread]:
    """Serve `app` from its own thread and loop; always stop it, also when the check fails."""
    server = ServerThread(app, grace=2.0, start_timeout=4.0, stop_timeout=4.0, name=f"check-{name}")
    try:
        await asyncio.to_thread(server.start)
    except RuntimeError as exc:
        if not isinstance(exc, ServerStuck):  # start() has already tried to stop a stuck one
            with contextlib.suppress(ServerStuck):
                await asyncio.shield(asyncio.to_thread(server.stop))
        _raise_learner_errors(logs, name)
        if isinstance(exc, ServerStuck) or "did not start within" in str(exc):
            raise TimedOut(
                f"{what} did not start within 4 s: its startup (the lifespan, before `yield`) is waiting "
                "for something that never happens. Restart the kernel to stop it."
            ) from None
        raise LearnerError(f"{what} did not start: {exc}") from None
    try:
        yield server
    finally:
        try:
            await asyncio.shield(asyncio.to_thread(server.stop))
        except ServerStuck:
            raise TimedOut(
                f"{what} could not be stopped: its event loop stayed blocked for more than 4 s "
                f"(something in {name}() never gives control back). Restart the kernel to stop it."
            ) from None


def _client(limit: int = 0, timeout: float = 5.0) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=limit),
        timeout=aiohttp.ClientTimeout(total=timeout),
    )


async def _get_json(http: aiohttp.ClientSession, url: str, name: str) -> tuple[int, Any, float, dict[str, str]]:
    """(status, JSON or text, seconds, headers) of a GET; a missing answer is a plain-words failure."""
    t0 = time.monotonic()
    try:
        async with http.get(url) as resp:
            body: Any = await resp.text()
            with contextlib.suppress(ValueError):
                body = await resp.json(content_type=None)
            return resp.status, body, time.monotonic() - t0, dict(resp.headers)
    except TimeoutError:
        raise TimedOut(
            f"GET {url.split('127.0.0.1')[-1]} got no answer within {time.monotonic() - t0:.1f} s: "
            f"is {name}() waiting for something that never happens?"
        ) from None
    except aiohttp.ClientError as exc:
        raise CheckFailed(
            f"GET {url.split('127.0.0.1')[-1]} failed: {type(exc).__name__}: {exc}. The app closed the "
            f"connection without an answer: did {name}() crash the connection?"
        ) from None


def _budget(ctx: CheckContext) -> float:
    return max(4.0, task_timeout(ctx.task) - 1.0)


@contextlib.asynccontextmanager
async def _time_limit(ctx: CheckContext, name: str) -> AsyncIterator[None]:
    """The whole scenario within the task's time (the servers are stopped on the way out)."""
    limit = _budget(ctx)
    try:
        async with asyncio.timeout(limit):
            yield
    except TimeoutError:
        raise TimedOut(
            f"The check's requests to your app were not all answered within {limit:g} s. Is "
            f"{name}() waiting for something that never happens, or blocking its event loop?"
        ) from None


def _namespace_key(ctx: CheckContext, name: str) -> Any:
    key = ctx.namespace.get(name)
    if not isinstance(key, web.AppKey):
        raise LearnerError(
            f"`{name}` is not defined as a web.AppKey: run the given cell that defines it (above "
            "your handler), and keep its name."
        )
    return key


async def _lab_stats(ctx: CheckContext) -> Any:
    return await asyncio.to_thread(ctx.lab.stats)


def _task_name(t: asyncio.Task[Any]) -> str:
    """`tick()` for a task running make_shop_api.<locals>.tick."""
    return _describe_task(t).rsplit(".", 1)[-1]


def _learner_tasks_left(loop: asyncio.AbstractEventLoop | None) -> list[asyncio.Task[Any]]:
    """The tasks on a server's loop whose coroutine was written in a notebook cell, not done."""
    if loop is None:
        return []
    out = []
    for t in asyncio.all_tasks(loop):
        code = getattr(t.get_coro(), "cr_code", None)
        if not t.done() and code is not None and _is_learner_frame(code.co_filename):
            out.append(t)
    return out


# --------------------------------------------------------------------------- 7.1 overview
SLOW = 2.5  # seconds the slow backend takes
LIMIT = 0.5  # seconds each backend is given
SHARED_SESSION_HINT = (
    "Use the app's one session, `session = request.app[SESSION]`, for every backend request: a "
    "`ClientSession` made in the handler opens new connections (and a new pool) for every request."
)
PER_BACKEND_HINT = (
    "Put `async with asyncio.timeout(request.app[TIMEOUT]):` around each backend's own request, "
    "inside the coroutine for that backend, and catch TimeoutError there: then one slow backend "
    "is missing and the others still count."
)


def _overview_app(handler: Any, keys: tuple[Any, Any, Any], backends: dict[str, str], limit: float) -> web.Application:
    session_key, backends_key, timeout_key = keys
    app = web.Application()
    app[backends_key], app[timeout_key] = dict(backends), limit

    async def client_session(app: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as session:
            app[session_key] = session
            yield

    app.cleanup_ctx.append(client_session)
    app.router.add_get("/overview", handler)
    return app


def _judge_overview(status: int, body: Any, seconds: float, want: dict[str, Any], what: str) -> None:
    if status != 200:
        raise CheckFailed(f"{what}: GET /overview answered status {status} ({str(body)[:200]}); expected 200.")
    if not isinstance(body, dict) or set(body) != {"values", "missing"}:
        raise CheckFailed(
            f"{what}: GET /overview answered {str(body)[:300]}; expected a JSON object with the keys "
            '"values" and "missing" (e.g. web.json_response({"values": ..., "missing": ...})).'
        )
    values, missing = body["values"], body["missing"]
    want_values, want_missing = want["values"], want["missing"]
    if isinstance(values, dict) and "slow" in values and seconds >= SLOW - 0.2:
        raise CheckFailed(
            f"{what}: the answer took {seconds:.2f} s and holds the slow backend's value: the handler "
            f"waited for the slow backend ({SLOW:g} s) although each backend has {LIMIT:g} s. "
            + PER_BACKEND_HINT,
            hint=PER_BACKEND_HINT,
        )
    if values != want_values:
        answered = [n for n in want_values if n not in (values or {})]
        if answered and isinstance(values, dict) and not values and seconds < SLOW - 0.5:
            raise CheckFailed(
                f"{what}: no value at all (values {{}}), although {', '.join(sorted(answered))} answered "
                f"in 0.1 s. A time limit around all the backends together cancels them all when the slow "
                "one runs out of time; an exception from one backend (a 500, a dropped connection) "
                "may also have ended the whole fan-out. " + PER_BACKEND_HINT,
                hint=PER_BACKEND_HINT,
            )
        extra = sorted(set(values) - set(want_values)) if isinstance(values, dict) else []
        if extra:
            raise CheckFailed(
                f'{what}: "values" was {str(values)[:300]}; expected {want_values}. {", ".join(extra)} did not '
                "answer 200 in time: a backend that ran out of time, answered another status than 200 (a 404 "
                "too, not only a 5xx), or whose connection failed, is missing, not a value."
            )
        raise CheckFailed(f'{what}: "values" was {str(values)[:300]}; expected {want_values}.')
    if missing != want_missing:
        if isinstance(missing, list) and sorted(map(str, missing)) == want_missing:
            raise CheckFailed(f'{what}: "missing" was {missing}: the right names, but not sorted ({want_missing}).')
        raise CheckFailed(
            f'{what}: "missing" was {str(missing)[:300]}; expected {want_missing} (the backends that ran out '
            "of time, answered another status than 200, or whose connection failed)."
        )


@task("7.1")
async def check_overview(ctx: CheckContext) -> str:
    overview = ctx.function()
    keys = (_namespace_key(ctx, "SESSION"), _namespace_key(ctx, "BACKENDS"), _namespace_key(ctx, "TIMEOUT"))
    lab = ctx.lab
    url = lab.url
    # Inserted in an order that is not the sorted order of the names.
    main = {
        "stock": url("/items/21", delay=0.1),
        "slow": url("/items/22", delay=SLOW),
        "profile": url("/items/23", delay=0.08),
        "broken": url("/status/500", delay=0.1),
        "cart": url("/items/24", delay=0.1),
        "gone": url("/status/404", delay=0.1),
        "dropped": url("/flaky/25", fail_rate=1, fault="drop", delay=0.1),
    }
    want_main = {"values": {"stock": item_value(21), "profile": item_value(23), "cart": item_value(24)},
                 "missing": ["broken", "dropped", "gone", "slow"]}
    none_left = {"zeta": url("/status/503"), "alpha": url("/items/26", delay=SLOW), "mid": url("/status/404")}
    want_none = {"values": {}, "missing": ["alpha", "mid", "zeta"]}

    with _Logs() as logs, _Opened() as opened:
        async with _time_limit(ctx, "overview"), _client(timeout=SLOW + 2) as http:
            async with _serving(_overview_app(overview, keys, main, LIMIT), "The /overview app", logs, "overview") as server:
                t0 = time.monotonic()
                alone = await _get_json(http, server.url("/overview"), "overview")
                t1 = time.monotonic()
                _raise_learner_errors(logs, "overview")
                _judge_overview(*alone[:3], want_main, "One request alone")
                load = await asyncio.gather(*(_get_json(http, server.url("/overview"), "overview") for _ in range(12)),
                                            return_exceptions=True)
                _raise_learner_errors(logs, "overview")
                late = [a for a in load if isinstance(a, TimedOut)]
                for a in load:
                    if isinstance(a, BaseException) and not isinstance(a, TimedOut):
                        raise a
                ctx.expect(
                    not late,
                    f"Under load (12 requests at once) the slowest answer took more than {SLOW + 2:g} s: "
                    f"{len(late)} of the 12 got no answer in that time, although each backend has {LIMIT:g} s. "
                    "Do the requests wait for one another (a lock, or one shared fan-out at a time)? Each "
                    "request must run its own fan-out at once.",
                )
            async with (
                _serving(_overview_app(overview, keys, {}, LIMIT), "The app without backends", logs, "overview") as empty,
                _serving(_overview_app(overview, keys, none_left, 0.3), "The app whose backends all fail", logs, "overview") as failing,
            ):
                nothing, all_missing = await asyncio.gather(
                    _get_json(http, empty.url("/overview"), "overview"),
                    _get_json(http, failing.url("/overview"), "overview"),
                )
            _raise_learner_errors(logs, "overview")
        stats = await _lab_stats(ctx)  # every app is stopped: no backend request can still arrive

    peak = stats.max_concurrency_between(t0, t1)
    ctx.expect(
        peak == len(main),
        f"One request alone: the lab service saw at most {peak} of its {len(main)} backend requests in "
        "flight at once; expected all of them at the same time, so that the answer takes the time of "
        "the slowest backend, not the sum. Start one coroutine per backend and await them together "
        "(asyncio.gather, or a TaskGroup).",
        hint="Make one coroutine per backend (`ask(url)`), then `await asyncio.gather(*(ask(u) for u in urls))`: "
        "awaiting each request before starting the next asks them one after another.",
    )
    slow_calls = [r for r in stats.requests if r["path"] == "/items/22" and t0 <= r["start"] <= t1]
    went_on = [r for r in slow_calls if r["end"] is None or r["end"] > t1 + 0.3]
    ctx.expect(
        slow_calls and not went_on,
        "One request alone: the answer left after the slow backend's time limit, but that backend's "
        "request went on "
        + (f"for {went_on[0]['end'] - t1:.2f} s after the answer" if went_on and went_on[0]["end"] else "after the answer")
        + ": when a backend's time is up, cancel its request (leaving `async with asyncio.timeout(...)` "
        "does it), so that it no longer holds a connection of the shared session.",
        hint=PER_BACKEND_HINT,
    )
    slowest = max(seconds for _, _, seconds, _ in load)
    for status, body, seconds, _ in load:
        _judge_overview(status, body, seconds, want_main, "Under load (12 requests at once)")
    ctx.expect(
        slowest < SLOW - 0.5,
        f"Under load (12 requests at once) the slowest answer took {slowest:.2f} s, although each backend "
        f"has {LIMIT:g} s: does every request wait for the slow backend ({SLOW:g} s)? " + PER_BACKEND_HINT,
        hint=PER_BACKEND_HINT,
    )
    _judge_overview(*nothing[:3], {"values": {}, "missing": []}, "An app with no backend at all")
    _judge_overview(*all_missing[:3], want_none, "An app whose backends are all missing (503, too slow, 404)")
    ctx.expect(
        not opened.sessions,
        f"overview() opened {len(opened.sessions)} ClientSession(s) of its own for the 15 requests the "
        "check sent (one per request?). " + SHARED_SESSION_HINT,
        hint=SHARED_SESSION_HINT,
    )
    return (
        f"overview answered right alone and under load (12 at once, slowest {slowest:.2f} s, with a "
        f"{SLOW:g} s backend cut at {LIMIT:g} s); all {len(main)} backends in flight at once; partial "
        "results with the missing names sorted; the app's one session served every request."
    )


# --------------------------------------------------------------------------- 7.2 make_report_api
REPORT_NS = [0, 1, 7, 3, 12, 3, 40, 2, 9, 5, 21, 100]  # not sorted, a duplicate, 0 and 1
THREAD_HINT = (
    "Run the blocking call in a thread: `return await asyncio.to_thread(build_report, n)` in an "
    "`async def` endpoint, or make the endpoint a plain `def` (FastAPI runs it in its thread pool)."
)


class _Report:
    """An instrumented build_report: notes the thread of each call and how many run at once."""

    def __init__(self, pause: float = 0.2) -> None:
        self.pause = pause
        self.lock = threading.Lock()
        self.now = self.peak = 0
        self.threads: list[int] = []
        self.__name__ = "build_report"

    def __call__(self, n: int) -> dict[str, int]:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
            self.threads.append(threading.get_ident())
        try:
            time.sleep(self.pause)
            return {"n": n, "total": n * (n + 1) // 2}
        finally:
            with self.lock:
                self.now -= 1


@task("7.2")
async def check_report_api(ctx: CheckContext) -> str:
    from asynclab.web import probe

    make = ctx.function(is_async=False)
    report = _Report()
    api = _build(make, "make_report_api", report)
    ctx.expect(api is not None and callable(api),
               f"make_report_api() returned {api!r}; expected the FastAPI app it made (`return api`).")
    with _Logs() as logs:
        async with _time_limit(ctx, "make_report_api"), _client(timeout=6) as http:
            async with _serving(api, "The report app", logs, "make_report_api") as server:
                loop_thread = await asyncio.to_thread(server.call, _thread_ident())
                status, body, _, _ = await _get_json(http, server.url("/health"), "make_report_api")
                _raise_learner_errors(logs, "make_report_api")
                ctx.expect(status == 200 and body == {"ok": True},
                           f"GET /health answered status {status}, {str(body)[:200]}; expected 200 and "
                           '{"ok": true}.')
                baseline = []
                for _ in range(8):
                    _, _, seconds, _ = await _get_json(http, server.url("/health"), "make_report_api")
                    baseline.append(seconds)
                reports = asyncio.ensure_future(asyncio.gather(
                    *(_get_json(http, server.url(f"/report/{n}"), "make_report_api") for n in REPORT_NS)))
                try:
                    health = await probe(server.url("/health"), during=reports, every=0.02, session=http)
                finally:
                    if not reports.done():
                        reports.cancel()
                        await asyncio.gather(reports, return_exceptions=True)
                answers = reports.result()
                _raise_learner_errors(logs, "make_report_api")

    for n, (status, body, _, _) in zip(REPORT_NS, answers, strict=True):
        want = {"n": n, "total": n * (n + 1) // 2}
        ctx.expect(status == 200 and body == want,
                   f"GET /report/{n} answered status {status}, {str(body)[:200]}; expected 200 and {want} "
                   "(what build_report(n) returns: use the build_report passed to make_report_api).")
    ctx.expect(len(report.threads) == len(REPORT_NS),
               f"build_report was called {len(report.threads)} times for {len(REPORT_NS)} reports; expected "
               "once per request, with the build_report passed to make_report_api (not the global one).")
    on_loop = sum(1 for t in report.threads if t == loop_thread)
    slowest = health.max_latency
    ctx.expect(
        on_loop == 0,
        f"{on_loop} of the {len(report.threads)} build_report calls ran on the event loop's thread: each one "
        f"blocked the whole app for 0.2 s (the slowest /health under load took {slowest:.2f} s). "
        + THREAD_HINT,
        hint=THREAD_HINT,
    )
    base = max(baseline)
    allowed = max(0.15, 3 * base + 0.05)
    ctx.expect(
        health.count >= 2 and slowest <= allowed,
        f"While the reports were built, /health took up to {slowest:.2f} s ({health.count} probes; alone it "
        f"took at most {base:.3f} s, so up to {allowed:.2f} s was allowed). build_report ran in threads, "
        "but /health waited: either something else held the event loop (another blocking call, such as "
        "time.sleep or a synchronous client, in an `async def` endpoint), or /health waited for a free "
        "thread (a `def` /health shares the thread pool with the reports: keep it `async def`, and do not "
        "shrink the pool).",
    )
    ctx.expect(
        report.peak >= 3,
        f"At most {report.peak} build_report call(s) ran at the same time (12 requests were waiting): the "
        "reports took turns. Let each request run its own call in a thread: no lock, no pool of one thread.",
        hint="`asyncio.to_thread` (or a plain `def` endpoint) runs each call in a thread of a pool with many "
        "threads; a lock or `ThreadPoolExecutor(max_workers=1)` makes them take turns.",
    )
    return (
        f"make_report_api: every report right, none built on the event loop's thread, up to {report.peak} "
        f"at once; /health under load at most {slowest:.3f} s (alone {base:.3f} s)."
    )


async def _thread_ident() -> int:
    return threading.get_ident()


# --------------------------------------------------------------------------- 7.3 shed_load
WORK = 0.4  # seconds a /work handler takes
SHED_FAST = 0.12  # seconds a 503 may take (measured: under 0.04 s with both cores busy)
FINALLY_HINT = (
    "Free the slot in a `finally:` around `await handler(request)`: a handler may return, raise "
    "(RuntimeError, web.HTTPNotFound...) or be cancelled when its client goes away, and every one of "
    "these must give the slot back."
)
OWN_COUNT_HINT = (
    "Keep the count in a variable of shed_load itself (`in_flight = 0` before the middleware, "
    "`nonlocal in_flight` inside it): each call of shed_load then makes a middleware with its own count. "
    "A module-level or class-level count is shared by every app."
)
AT_ONCE_HINT = (
    "Decide before calling the handler: `if in_flight >= limit: return web.Response(status=503, "
    "headers={\"Retry-After\": str(retry_after)})`. Waiting for a free slot (a Semaphore's `async with`) "
    "is queueing, not shedding."
)


SHED_TIMES: list[float] = []  # the slowest 503 of each burst judged (for the summary)


class _Gauge:
    """How many of the check's handlers run at once, and how each ended."""

    def __init__(self) -> None:
        self.now = self.peak = self.calls = 0
        self.cancelled = 0

    def reset_peak(self) -> None:
        self.peak = self.now


def _shed_app(middleware: Any, gauge: _Gauge) -> web.Application:
    async def tracked(coro: Any) -> Any:
        gauge.now += 1
        gauge.calls += 1
        gauge.peak = max(gauge.peak, gauge.now)
        try:
            return await coro
        except asyncio.CancelledError:
            gauge.cancelled += 1
            raise
        finally:
            gauge.now -= 1

    async def work(request: web.Request) -> web.Response:
        async def body() -> web.Response:
            await asyncio.sleep(float(request.query.get("d", WORK)))
            return web.json_response({"work": request.query.get("i", "")})
        return await tracked(body())

    async def boom(request: web.Request) -> web.Response:
        async def body() -> web.Response:
            raise _CheckError("boom (raised by the check's handler on purpose)")
        return await tracked(body())

    async def missing(request: web.Request) -> web.Response:
        async def body() -> web.Response:
            raise web.HTTPNotFound(text="no such thing")
        return await tracked(body())

    async def hang(request: web.Request) -> web.Response:
        async def body() -> web.Response:
            await asyncio.sleep(30)
            return web.Response(text="never")
        return await tracked(body())

    app = web.Application(middlewares=[middleware])
    app.router.add_get("/work", work)
    app.router.add_get("/boom", boom)
    app.router.add_get("/missing", missing)
    app.router.add_get("/hang", hang)
    return app


async def _burst(http: aiohttp.ClientSession, server: ServerThread, n: int, d: float = WORK) -> list[tuple[int, Any, float, dict[str, str]]]:
    return list(await asyncio.gather(*(_get_json(http, server.url("/work", d=d, i=i), "shed_load") for i in range(n))))


def _judge_burst(answers: list[tuple[int, Any, float, dict[str, str]]], gauge: _Gauge, limit: int,
                 retry_after: int, what: str, ctx: CheckContext) -> None:
    statuses = [a[0] for a in answers]
    odd = sorted({s for s in statuses if s not in (200, 503)})
    ctx.expect(not odd, f"{what}: answers with status {odd}; expected only 200 and 503.")
    ok = [a for a in answers if a[0] == 200]
    shed = [a for a in answers if a[0] == 503]
    ctx.expect(
        gauge.peak <= limit,
        f"{what}: {gauge.peak} handlers ran at once, with limit={limit}: more than the bound. Count the "
        "requests inside the handler, and answer 503 when the count has reached `limit`.",
        hint=OWN_COUNT_HINT if gauge.peak > limit else "",
    )
    ctx.expect(
        gauge.peak == limit,
        f"{what}: at most {gauge.peak} handler(s) ran at once, with limit={limit} and {len(answers)} requests "
        f"waiting ({len(shed)} turned away with 503): the middleware must let `limit` requests in at once.",
    )
    ctx.expect(
        shed,
        f"{what}: all {len(answers)} requests got 200 and none 503, with limit={limit}: the requests over the "
        "bound waited for a slot instead of being turned away. " + AT_ONCE_HINT,
        hint=AT_ONCE_HINT,
    )
    for i, (status, body, _, _) in enumerate(answers):
        if status == 200:
            ctx.expect(body == {"work": str(i)},
                       f"{what}: a request let in was answered {str(body)[:200]}, not the handler's own "
                       "response: return what `await handler(request)` returned, unchanged.")
    bad_header = [a[3].get("Retry-After") for a in shed if a[3].get("Retry-After") != str(retry_after)]
    ctx.expect(
        not bad_header,
        f"{what}: {len(bad_header)} of the {len(shed)} 503 answers had Retry-After {bad_header[0]!r}; expected "
        f"{str(retry_after)!r} (shed_load(..., retry_after={retry_after})). "
        'Add it to the response: `headers={"Retry-After": str(retry_after)}`.' if bad_header else "",
    )
    ctx.expect(
        gauge.calls == len(ok),
        f"{what}: the handler ran {gauge.calls} times for {len(ok)} answers with 200: it was also called for "
        "requests answered 503. Return the 503 without calling the handler.",
    )
    fastest_ok = min(a[2] for a in ok)
    slowest_shed = max(a[2] for a in shed)
    SHED_TIMES.append(slowest_shed)
    ctx.expect(
        slowest_shed < min(SHED_FAST, fastest_ok / 3),
        f"{what}: a 503 took {slowest_shed:.2f} s, while the fastest 200 took {fastest_ok:.2f} s: the requests "
        "over the bound waited before being turned away. " + AT_ONCE_HINT,
        hint=AT_ONCE_HINT,
    )


@task("7.3")
async def check_shed_load(ctx: CheckContext) -> str:
    shed_load = ctx.function(is_async=False)
    limit = 4
    middleware = _build(shed_load, "shed_load", limit)
    ctx.expect(callable(middleware),
               f"shed_load({limit}) returned {middleware!r}; expected the middleware function it made.")
    gauge = _Gauge()
    with _Logs() as logs:
        async with _time_limit(ctx, "shed_load"), _client() as http:
            async with _serving(_shed_app(middleware, gauge), "The app with your middleware", logs, "shed_load") as server:
                first = await _burst(http, server, 16)
                _raise_learner_errors(logs, "shed_load")
                _judge_burst(first, gauge, limit, 1, "A burst of 16 requests (limit=4)", ctx)

                async def sequence(path: str, n: int) -> list[int]:
                    return [(await _get_json(http, server.url(path), "shed_load"))[0] for _ in range(n)]

                async def probe_again(after: str) -> None:
                    gauge.reset_peak()
                    answers = await _burst(http, server, limit, d=0.15)
                    _raise_learner_errors(logs, "shed_load")
                    refused = sum(1 for a in answers if a[0] == 503)
                    ctx.expect(
                        refused == 0,
                        f"After {after}, {refused} of {limit} requests sent at once (limit={limit}, nothing else "
                        "in flight) got 503: the slots of those earlier requests were never given back. "
                        + FINALLY_HINT,
                        hint=FINALLY_HINT,
                    )

                raised = await sequence("/boom", limit + 2)
                _raise_learner_errors(logs, "shed_load")
                ctx.expect(all(s == 500 for s in raised[:limit]),
                           f"Requests whose handler raised RuntimeError were answered {raised}; expected 500 "
                           "(let the exception through the middleware: aiohttp turns it into a 500).")
                ctx.expect(raised[-1] == 500,
                           f"After {limit} requests whose handler raised RuntimeError, the next ones got "
                           f"{raised[limit:]}: their slots were never given back. " + FINALLY_HINT,
                           hint=FINALLY_HINT)
                await probe_again(f"{len(raised)} requests whose handler raised RuntimeError (500)")
                not_found = await sequence("/missing", limit + 2)
                ctx.expect(all(s == 404 for s in not_found[:limit]),
                           f"Requests whose handler raised web.HTTPNotFound were answered {not_found}; expected "
                           "404 (let the HTTPException through the middleware).")
                ctx.expect(not_found[-1] == 404,
                           f"After {limit} requests whose handler raised web.HTTPNotFound, the next ones got "
                           f"{not_found[limit:]}: their slots were never given back. " + FINALLY_HINT,
                           hint=FINALLY_HINT)
                await probe_again(f"{len(not_found)} requests whose handler raised web.HTTPNotFound (404)")
                for batch in range(2):  # 2 x limit clients that give up
                    before = gauge.cancelled
                    gone = [asyncio.ensure_future(http.get(server.url("/hang"), timeout=aiohttp.ClientTimeout(total=0.2)))
                            for _ in range(limit)]
                    ends = await asyncio.gather(*gone, return_exceptions=True)
                    refused = 0
                    for end in ends:
                        if isinstance(end, aiohttp.ClientResponse):
                            refused += end.status == 503
                            end.release()
                    ctx.expect(
                        refused == 0,
                        f"After {batch * limit} requests whose client went away (their handlers were cancelled), "
                        f"{refused} of {limit} new requests (limit={limit}, nothing else in flight) got 503: the "
                        "slots of the cancelled requests were never given back. " + FINALLY_HINT,
                        hint=FINALLY_HINT,
                    )
                    for _ in range(100):  # until aiohttp has cancelled the handlers it started
                        if gauge.now == 0:
                            break
                        await asyncio.sleep(0.02)
                    ctx.expect(gauge.now == 0 and gauge.cancelled > before,
                               "The check's /hang handlers were not cancelled when their clients went away "
                               "(the app is served with handler_cancellation=True): does your middleware "
                               "catch CancelledError without raising it again?")
                await probe_again(f"{2 * limit} requests whose client went away (their handlers were cancelled)")
                _raise_learner_errors(logs, "shed_load")

            # Two apps, each with a middleware of its own, loaded at the same time.
            two, three = _build(shed_load, "shed_load", 2, 2), _build(shed_load, "shed_load", 3)
            g2, g3 = _Gauge(), _Gauge()
            async with (
                _serving(_shed_app(two, g2), "The app with shed_load(2, 2)", logs, "shed_load") as s2,
                _serving(_shed_app(three, g3), "The app with shed_load(3)", logs, "shed_load") as s3,
            ):
                b2, b3 = await asyncio.gather(_burst(http, s2, 8), _burst(http, s3, 8))
                _raise_learner_errors(logs, "shed_load")
    both = "Two apps at once, shed_load(2, retry_after=2) and shed_load(3)"
    if g2.peak != 2 or g3.peak != 3:
        raise CheckFailed(
            f"{both}: at the peak {g2.peak} and {g3.peak} handlers ran at once; expected 2 and 3. The two "
            "middlewares share one count (a module-level or class-level variable?). " + OWN_COUNT_HINT,
            hint=OWN_COUNT_HINT,
        )
    _judge_burst(b2, g2, 2, 2, both + ", the first", ctx)
    _judge_burst(b3, g3, 3, 1, both + ", the second", ctx)
    shed = sum(1 for a in first if a[0] == 503)
    return (
        f"shed_load: 4 handlers at once out of a burst of 16, {shed} answered 503 at once with Retry-After "
        f"(the slowest 503 of each burst: {', '.join(f'{t:.3f}' for t in SHED_TIMES[-3:])} s); "
        "slots given back after exceptions, 404s and clients that went away; each middleware its own count."
    )


# --------------------------------------------------------------------------- 7.4 make_shop_api
ITEM_IDS = [3, 250, 17, 500, 1, 3, 88, 499]
ORDERS = [(12, 2), (7, 1), (400, 5), (12, 3), (1, 1), (250, 4), (33, 2), (9, 7)]
LIFESPAN_HINT = (
    "Open the session and the connection once, in the lifespan, before its `yield` (`async with "
    "aiohttp.ClientSession() as session, aiosqlite.connect(db_path) as db:`), keep them on app.state, "
    "and use `request.app.state.session` / `.db` in the endpoints."
)
KEEP_TASK_HINT = (
    "Keep each notification task in a set on app.state (`tasks.add(task)`, "
    "`task.add_done_callback(tasks.discard)`), and after the lifespan's `yield`, before the session "
    "closes, `await asyncio.gather(*tasks, return_exceptions=True)`."
)


LEFT_HINT = (
    "Every task the app starts must have ended when its lifespan's shutdown ends: keep a reference to "
    "each (on app.state), and after the `yield` cancel the ones that run for ever (`task.cancel()`, then "
    "`await asyncio.gather(task, return_exceptions=True)`) and await the ones that must finish."
)


class _ShutdownSpy:
    """An ASGI wrapper around the learner's app: notes when its lifespan's shutdown completed
    and which of the learner's tasks were still running then."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.shutdown_at: float | None = None
        self.left: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            return await self.app(scope, receive, send)

        async def spy(message: Any) -> None:
            if message.get("type") == "lifespan.shutdown.complete":
                self.shutdown_at = time.monotonic()
                await asyncio.sleep(0)  # a task the lifespan just cancelled gets to finish
                self.left = [_task_name(t) for t in _learner_tasks_left(asyncio.get_running_loop())]
            await send(message)

        return await self.app(scope, receive, spy)


@task("7.4")
async def check_shop_api(ctx: CheckContext) -> str:
    make = ctx.function(is_async=False)
    lab = ctx.lab
    with tempfile.TemporaryDirectory(prefix="asynclab-07-") as tmp:
        db_path = str(Path(tmp) / "shop.sqlite")
        with contextlib.closing(sqlite3.connect(DB_SOURCE)) as src, contextlib.closing(sqlite3.connect(db_path)) as dst:
            src.backup(dst)
        with contextlib.closing(sqlite3.connect(db_path)) as db:
            items = {i: db.execute("SELECT name, price_cents FROM items WHERE id = ?", (i,)).fetchone() for i in ITEM_IDS}
            last_order = db.execute("SELECT MAX(id) FROM orders").fetchone()[0]
        with _Logs() as logs, _Opened() as opened:
            api = _build(make, "make_shop_api", lab.base_url, db_path)
            ctx.expect(api is not None and callable(api),
                       f"make_shop_api() returned {api!r}; expected the FastAPI app it made (`return api`).")
            spy = _ShutdownSpy(api)
            async with _time_limit(ctx, "make_shop_api"), _client() as http:
                async with _serving(spy, "The shop app", logs, "make_shop_api") as server:
                    got_items, unknown = await asyncio.gather(
                        asyncio.gather(*(_get_json(http, server.url(f"/items/{i}"), "make_shop_api") for i in ITEM_IDS)),
                        _get_json(http, server.url("/items/9999"), "make_shop_api"),
                    )
                    _raise_learner_errors(logs, "make_shop_api")

                    async def order(item_id: int, quantity: int) -> tuple[int, Any, float]:
                        async with http.post(server.url("/orders"), json={"item_id": item_id, "quantity": quantity}) as resp:
                            body: Any = await resp.text()
                            with contextlib.suppress(ValueError):
                                body = await resp.json(content_type=None)
                            return resp.status, body, time.monotonic()

                    orders = await asyncio.gather(*(order(i, q) for i, q in ORDERS))
                # The app has shut down (its lifespan's shutdown ran): nothing more can reach the lab.
                _raise_learner_errors(logs, "make_shop_api")
            stats = await _lab_stats(ctx)
        with contextlib.closing(sqlite3.connect(db_path)) as db:
            rows = {r[0]: r[1:] for r in db.execute("SELECT id, item_id, quantity, day FROM orders WHERE id > ?", (last_order,))}

    for i, (status, body, _, _) in zip(ITEM_IDS, got_items, strict=True):
        name, price = items[i]
        want = {"id": i, "name": name, "price_cents": price, "value": item_value(i)}
        ctx.expect(status == 200 and body == want,
                   f"GET /items/{i} answered status {status}, {str(body)[:200]}; expected 200 and {want}.")
    ctx.expect(unknown[0] == 404, f"GET /items/9999 (not in the table) answered status {unknown[0]}; expected 404.")
    ids = []
    for (item_id, quantity), (status, body, _) in zip(ORDERS, orders, strict=True):
        ctx.expect(status == 200 and isinstance(body, dict) and set(body) == {"id"} and isinstance(body["id"], int),
                   f"POST /orders {{item_id: {item_id}, quantity: {quantity}}} answered status {status}, "
                   f'{str(body)[:200]}; expected 200 and {{"id": <the new row\'s id>}}.')
        ids.append(body["id"])
    ctx.expect(len(rows) == len(ORDERS),
               f"After shutdown the orders table has {len(rows)} new rows; expected {len(ORDERS)}, one per order. "
               "Commit after the INSERT (`await db.commit()`): what is not committed is gone when the "
               "connection closes.")
    ctx.expect(len(set(ids)) == len(ids),
               f"The 8 orders sent at once got the ids {ids}; expected 8 different ones. Read the id of your "
               "own INSERT from its cursor (`cur.lastrowid`): `SELECT last_insert_rowid()` after an await may "
               "see another request's INSERT on the shared connection.")
    for (item_id, quantity), order_id in zip(ORDERS, ids, strict=True):
        ctx.expect(rows.get(order_id) == (item_id, quantity, "2026-12-31"),
                   f"POST /orders {{item_id: {item_id}, quantity: {quantity}}} answered id {order_id}, but after "
                   f"shutdown that row is {rows.get(order_id)}; expected ({item_id}, {quantity}, '2026-12-31'). "
                   "Answer the id of the row this request inserted (`cur.lastrowid` of its INSERT).")
    ctx.expect(
        len(opened.sessions) == 1,
        f"Your app opened {len(opened.sessions)} aiohttp ClientSession(s) for {len(ITEM_IDS) + 1 + len(ORDERS)} "
        "requests; expected one for the app's whole life. " + LIFESPAN_HINT,
        hint=LIFESPAN_HINT,
    )
    ctx.expect(
        opened.connections,
        "Your app opened no aiosqlite connection: use `aiosqlite.connect(db_path)` in the lifespan. A plain "
        "sqlite3 connection runs every query on the event loop's thread and blocks it.",
        hint=LIFESPAN_HINT,
    )
    ctx.expect(
        len(opened.connections) == 1,
        f"Your app opened {len(opened.connections)} aiosqlite connection(s) for {len(ITEM_IDS) + 1 + len(ORDERS)} "
        "requests; expected one for the app's whole life. " + LIFESPAN_HINT,
        hint=LIFESPAN_HINT,
    )
    ctx.expect(opened.sessions[0].closed,
               "After shutdown, the app's ClientSession was still open: close it in the lifespan, after its "
               "`yield` (an `async with aiohttp.ClientSession() as session:` around the yield does it).")
    ctx.expect(getattr(opened.connections[0], "_connection", None) is None,
               "After shutdown, the app's aiosqlite connection was still open: close it in the lifespan, after "
               "its `yield` (an `async with aiosqlite.connect(db_path) as db:` around the yield does it).")
    notes = {}
    for r in stats.requests:
        order_id = r["query"].get("order")
        if order_id is not None and r["path"] == "/status/202":
            notes.setdefault(order_id, []).append(r)
    unnotified = [i for i in ids if str(i) not in notes]
    ctx.expect(not unnotified,
               f"The warehouse was never notified of the orders {unnotified} (no GET /status/202?...&order=<id> "
               "reached the lab service).")
    twice = [i for i in ids if len(notes[str(i)]) > 1]
    ctx.expect(not twice, f"The orders {twice} were notified more than once; expected one notification each.")
    shutdown_at = spy.shutdown_at or float("inf")
    for i, (_, _, answered_at) in zip(ids, orders, strict=True):
        r = notes[str(i)][0]
        ctx.expect(
            r["end"] is not None and answered_at < r["end"],
            f"Order {i} was answered after its notification had ended: the client waited for the warehouse. "
            "Answer first and notify in the background: `asyncio.create_task(...)` (keeping a reference), or "
            "FastAPI's BackgroundTasks.",
            hint="In POST /orders: start the notification with `task = asyncio.create_task(notify(...))`, keep "
            "`task` in a set on app.state, and return at once; do not await it there.",
        )
    unfinished = [i for i in ids if notes[str(i)][0]["status"] != 202 or notes[str(i)][0]["outcome"] != "ok"
                  or notes[str(i)][0]["end"] > shutdown_at]
    ctx.expect(
        not unfinished,
        f"{len(unfinished)} of the {len(ids)} notifications did not end with status 202 before the app had "
        "shut down: they were cut off (cancelled, or the session closed under them before they finished), "
        "so the warehouse never heard of those orders. " + KEEP_TASK_HINT,
        hint=KEEP_TASK_HINT,
    )
    ctx.expect(
        not spy.left,
        f"After the app had shut down, {len(spy.left)} task(s) of yours were still running "
        f"({', '.join(sorted(set(spy.left)))}). " + LEFT_HINT,
        hint=LEFT_HINT,
    )
    return (
        "make_shop_api: items and orders right (rows committed), one session and one database connection "
        "for the app's life, both closed at shutdown; every order answered before its notification ended, "
        "and every notification finished (202) before the app had shut down, no task left behind."
    )


# --------------------------------------------------------------------------- 7.5 events
RELAY_HINT = (
    "Read the upstream lines in the handler itself (`async for line in upstream.content:` inside "
    "`async with session.get(...) as upstream:`) and write each one at once: when the client goes away "
    "the handler is cancelled, and leaving the `async with` closes the upstream request. A task of your "
    "own, or a CancelledError caught and not raised again, keeps reading."
)


def _events_app(handler: Any, session_key: Any, upstream_key: Any, upstream: str, left: list[str]) -> web.Application:
    app = web.Application()
    app[upstream_key] = upstream

    async def client_session(app: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as session:
            app[session_key] = session
            yield

    async def after_cleanup(app: web.Application) -> None:  # runs after the session is closed
        left.extend(_task_name(t) for t in _learner_tasks_left(asyncio.get_running_loop()))

    app.cleanup_ctx.append(client_session)
    app.on_cleanup.append(after_cleanup)
    app.router.add_get("/events", handler)
    return app


def _line(i: int) -> str:
    return f"line {i}: {'x' * 40}"


async def _read_events(resp: aiohttp.ClientResponse, limit: int | None = None,
                       raw: list[bytes] | None = None) -> tuple[list[str], list[float]]:
    """The data of each event (blocks separated by an empty line) and when each arrived; the
    bytes as they came go into `raw`."""
    raw = [] if raw is None else raw
    got: list[str] = []
    times: list[float] = []
    buffer = ""
    async for chunk in resp.content.iter_any():
        raw.append(chunk)
        buffer += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            data = [ln[5:].removeprefix(" ") for ln in block.split("\n") if ln.startswith("data:")]
            if data:
                got.append("\n".join(data))
                times.append(time.monotonic())
            if limit is not None and len(got) >= limit:
                return got, times
    if buffer.strip():
        got.append("<unfinished: " + buffer.strip()[:60] + ">")
    return got, times


@task("7.5")
async def check_events(ctx: CheckContext) -> str:
    events = ctx.function()
    session_key, upstream_key = _namespace_key(ctx, "SESSION"), _namespace_key(ctx, "UPSTREAM")
    lab = ctx.lab
    left: list[str] = []
    with _Logs() as logs, _Opened() as opened:
        async with _time_limit(ctx, "events"), _client(timeout=6) as http:
            async with _serving(_events_app(events, session_key, upstream_key, lab.base_url, left),
                                "The events app", logs, "events") as server:
                async def whole(lines: int, interval: float) -> tuple[int, dict[str, str], list[str], list[float]]:
                    async with http.get(server.url("/events", lines=lines, interval=interval)) as resp:
                        raw: list[bytes] = []
                        got, times = await _read_events(resp, raw=raw)
                        return resp.status, dict(resp.headers), got, times, b"".join(raw)

                five, one = await asyncio.gather(whole(5, 0.08), whole(1, 0.01))
                _raise_learner_errors(logs, "events")
                for lines, (status, headers, got, _, body) in ((5, five), (1, one)):
                    ctx.expect(status == 200, f"GET /events?lines={lines} answered status {status}; expected 200.")
                    ctx.expect(headers.get("Content-Type", "").split(";")[0].strip() == "text/event-stream",
                               f"GET /events answered Content-Type {headers.get('Content-Type')!r}; expected "
                               "'text/event-stream' (set it in the StreamResponse's headers, before prepare()).")
                    ctx.expect(headers.get("Cache-Control", "").strip() == "no-cache",
                               f"GET /events answered Cache-Control {headers.get('Cache-Control')!r}; expected 'no-cache'.")
                    want = [_line(i) for i in range(lines)]
                    ctx.expect(got == want,
                               f"GET /events?lines={lines} sent the events {got[:6]}; expected one per upstream line, "
                               f"{want[:2]}...: `data: <line without its newline>` then an empty line (b\"\\n\\n\").")
                    exact = b"".join(b"data: " + w.encode() + b"\n\n" for w in want)
                    ctx.expect(body == exact,
                               f"GET /events?lines={lines} sent {body[:120]!r}...; expected exactly {exact[:120]!r}...: "
                               "each event is `data: ` + the line without its newline + b\"\\n\\n\", and nothing "
                               "else (strip the upstream line's own newline).")
                spread = five[3][-1] - five[3][0] if len(five[3]) >= 2 else 0.0
                ctx.expect(
                    spread >= 0.15,
                    f"The 5 events of a stream whose upstream lines came 0.08 s apart reached the client within "
                    f"{spread:.3f} s of each other: they were sent together, after the upstream stream had ended, not "
                    "as the lines arrived. " + RELAY_HINT,
                    hint=RELAY_HINT,
                )
                # Two long streams; the first client leaves after 3 events.
                async with http.get(server.url("/events", lines=1000, interval=0.02)) as leaving:
                    first, _ = await _read_events(leaving, limit=3)
                    stays = await http.get(server.url("/events", lines=999, interval=0.02))
                    leaving.close()  # the client goes away: its connection is closed
                left_at = time.monotonic()
                try:
                    later, _ = await _read_events(stays, limit=15)
                finally:
                    stays.close()
                stayed_until = time.monotonic()
                await asyncio.sleep(max(0.0, left_at + 1.0 - time.monotonic()))
                stop_at = time.monotonic()
                _raise_learner_errors(logs, "events")
        stats = await _lab_stats(ctx)  # the app is stopped: no upstream request is still open

    streams = {r["query"].get("lines"): r for r in stats.requests if r["path"] == "/stream"}
    for lines, interval in (("5", "0.08"), ("1", "0.01"), ("1000", "0.02"), ("999", "0.02")):
        r = streams.get(lines)
        ctx.expect(r is not None and r["query"].get("interval") == interval,
                   f"For GET /events?lines={lines}&interval={interval} the upstream request was "
                   + (f"GET /stream with {r['query']}" if r is not None else f"never made with lines={lines}")
                   + f"; expected lines={lines} and interval={interval}, the same two query parameters.")
    ctx.expect(first == [_line(i) for i in range(3)],
               f"On a long stream the first events were {first}; expected {[_line(i) for i in range(3)]}.")
    ctx.expect(later[:2] == [_line(0), _line(1)] and len(later) == 15,
               f"While another client went away, the client that stayed got {later[:4]}... ({len(later)} "
               "events); expected its own events in order.")
    gone = streams.get("1000")
    ctx.expect(gone is not None, "The lab service never saw the upstream request of the stream with 1000 lines.")
    ended = gone["end"]
    ctx.expect(
        ended is not None and ended < left_at + 0.8 and ended < stop_at,
        "When the client of a 1000-line stream went away, the upstream request went on "
        + (f"for {ended - left_at:.2f} s, until the app shut down" if ended is not None and ended >= stop_at
           else f"for {ended - left_at:.2f} s" if ended is not None else "until the app shut down")
        + ": the work for a client that has gone must stop at once. " + RELAY_HINT,
        hint=RELAY_HINT,
    )
    other = streams.get("999")
    ctx.expect(
        other is not None and other["end"] is not None and other["end"] < stop_at and other["end"] < stayed_until + 0.8,
        "When the second client went away, its upstream request was not closed before the app shut down. "
        + RELAY_HINT,
        hint=RELAY_HINT,
    )
    ctx.expect(
        not left,
        f"When the app shut down, {len(left)} task(s) of yours were still running ({', '.join(sorted(set(left)))}): "
        + RELAY_HINT,
        hint=RELAY_HINT,
    )
    ctx.expect(
        not opened.sessions,
        f"events() opened {len(opened.sessions)} ClientSession(s) of its own for 4 requests: use the app's "
        "one session, `request.app[SESSION]`, for the upstream request.",
        hint=SHARED_SESSION_HINT,
    )
    return (
        "events: the headers and one event per upstream line, sent as the lines arrived; a client that left "
        f"had its upstream request closed {ended - left_at:.2f} s later while the other went on; no task left."
    )
