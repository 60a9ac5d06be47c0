"""Checks for module 02: limiting concurrency.

Each check drives the learner's code through several scenarios (a main one, then other
sizes, limits and edge cases, with fresh instances beside used ones so that state kept in
globals or class attributes shows) and judges the values that came back and what was
observed: by the lab service (how many requests were in flight at once, when each one
started, how often the same item was fetched), by the check itself (when each
`acquire()` returned, how often `fetch` was called per key, how many semaphores the
learner's code made), and by ctx.run (a blocked loop, busy-waiting, tasks left running).
Diagnoses follow the evidence: e.g. many identical start times point to a missing lock,
a peak equal to the number of coroutines with one shared semaphore points to a slot that
is not held while the coroutine runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import sys
import time
from collections import Counter
from collections.abc import Coroutine, Iterator
from typing import Any

import aiohttp

from asynclab.checking import (
    CheckContext,
    CheckFailed,
    LearnerError,
    TimedOut,
    _is_learner_frame,
    task,
)
from exercises_tests.helpers import item_value, learner_class, leaves, named


async def _get_json(session: aiohttp.ClientSession, url: str) -> Any:
    async with session.get(url) as resp:
        resp.raise_for_status()
        return await resp.json()


def _session() -> aiohttp.ClientSession:
    # No connection cap of our own: every limit the service observes is the learner's.
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))


def _close_unstarted(coros: list[Coroutine[Any, Any, Any]]) -> None:
    """Close the coroutines the learner never started, so they do not warn later."""
    for coro in coros:
        if inspect.getcoroutinestate(coro) == inspect.CORO_CREATED:
            coro.close()


def _describe(value: object) -> str:
    """A short description of a value or an exception, for messages."""
    if isinstance(value, BaseException):
        text = getattr(value, "message", "") or str(value)
        return f"{type(value).__name__}({text[:80]!r})"
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _ids(result: object) -> list[object]:
    if not isinstance(result, list):
        return []
    out: list[object] = []
    for r in result:
        if isinstance(r, dict):
            out.append(r.get("id"))
        elif isinstance(r, BaseException):
            out.append(type(r).__name__)
        else:
            out.append(r)
    return out


def _is_item(value: object, item_id: int) -> bool:
    return (
        isinstance(value, dict)
        and value.get("id") == item_id
        and value.get("value") == item_value(item_id)
    )


def _raise_leaf(exc: BaseException) -> None:
    """A check's own TaskGroup wraps the learner's exception: raise the learner's one."""
    found = leaves(exc)
    raise found[0] from None


# --------------------------------------------------------------------------- 2.1
class _SemaphoreCount:
    """Counts the asyncio.Semaphore objects (BoundedSemaphore too) the learner's code makes."""

    def __init__(self) -> None:
        self.made = 0

    @contextlib.contextmanager
    def installed(self) -> Iterator[_SemaphoreCount]:
        original = asyncio.Semaphore.__init__
        counter = self

        def init(sem: Any, *args: Any, **kwargs: Any) -> None:
            frame: Any = sys._getframe(1)
            while frame is not None and frame.f_code.co_filename.startswith(_ASYNCIO_DIR):
                frame = frame.f_back
            if frame is not None and _is_learner_frame(frame.f_code.co_filename):
                counter.made += 1
            original(sem, *args, **kwargs)

        asyncio.Semaphore.__init__ = init  # type: ignore[method-assign]
        try:
            yield self
        finally:
            asyncio.Semaphore.__init__ = original  # type: ignore[method-assign]


_ASYNCIO_DIR = asyncio.__file__.rsplit("/", 1)[0].rsplit("\\", 1)[0]

_HOLD_HINT = (
    "The slot must be held for as long as the coroutine runs: `async def one(coro):` "
    "`async with slots: return await coro`, and gather `one(c)` for every coroutine. A "
    "semaphore taken around create_task() (or released before the await) limits only how "
    "fast the tasks are created, not how many run."
)


async def _bounded_run(
    ctx: CheckContext, bounded_gather: Any, specs: list[tuple[str, float]], limit: int, **run: Any
) -> tuple[Any, int]:
    """bounded_gather over coroutines fetching `specs` (path, delay); (result, semaphores made)."""
    async with _session() as session:
        coros = [_get_json(session, ctx.lab.url(path, delay=d)) for path, d in specs]
        try:
            with _SemaphoreCount().installed() as sems:
                result = await ctx.run(bounded_gather(coros, limit), **run)
        except TimedOut as exc:
            raise TimedOut(
                f"{exc} With a limit, the usual cause is a slot that is never given back: a "
                "Semaphore acquired without a release. Use `async with semaphore:` so that the "
                "slot is released when the coroutine ends, even when it fails."
            ) from None
        finally:
            _close_unstarted(coros)
    return result, sems.made


def _too_many(peak: int, limit: int, n: int, made: int, when: str = "") -> str:
    head = f"The lab service saw {peak} requests in flight at once{when}: more than the limit of {limit}. "
    if made == 0:
        return head + (
            "Your code made no asyncio.Semaphore in this call: create ONE "
            "`asyncio.Semaphore(limit)` per call (a semaphore kept from an earlier call has that "
            "call's limit), and make every coroutine wait for a free slot before it starts."
        )
    if made > 1:
        return head + (
            f"Your code made {made} semaphores for {n} coroutines: a semaphore created inside the "
            "wrapper gives each coroutine a slot of its own. Create ONE semaphore per call and "
            "share it."
        )
    return head + (
        f"Your code made one semaphore, yet {'all ' if peak >= n else ''}{peak} ran at once: the "
        "slot is not held while the coroutine runs (taken around create_task(), or released "
        "before the `await`). Hold it for the whole `await coro`: `async with slots: return await coro`."
    )


@task("2.1")
async def check_bounded_gather(ctx: CheckContext) -> str:
    bounded_gather = ctx.function()
    limit, n = 4, 24
    # Mixed latencies: results finish out of order, and batches would leave slots idle.
    delays = [0.3 if i % 4 == 0 else 0.1 if i % 4 == 2 else 0.05 for i in range(n)]
    result, made = await _bounded_run(
        ctx, bounded_gather, [(f"/items/{i}", d) for i, d in enumerate(delays)], limit
    )
    stats = ctx.lab.stats()
    ctx.expect(
        isinstance(result, list) and len(result) == n,
        f"bounded_gather returned {type(result).__name__}"
        + (f" with {len(result)} items" if isinstance(result, list) else "")
        + f"; expected a list of the {n} results.",
    )
    ids = _ids(result)
    ctx.expect(
        ids == list(range(n)),
        f"The results are not in the order of the coroutines: item ids came back as {ids}. "
        "Return them in the order they were given (asyncio.gather keeps that order; so does "
        "keeping a list of tasks), not in the order they finish.",
    )
    ctx.expect(
        stats.count == n,
        f"The lab service saw {stats.count} requests for {n} coroutines: await each one exactly once.",
    )
    peak = stats.peak("items")
    ctx.expect(peak <= limit, _too_many(peak, limit, n, made), hint=_HOLD_HINT if made == 1 else "")
    ctx.expect(
        peak == limit,
        f"Never more than {peak} request(s) were in flight, although the limit of {limit} "
        f"allows {limit}. Start every coroutine at once (gather or TaskGroup) and let the "
        "semaphore hold back the extra ones, instead of awaiting them one by one.",
    )
    records = stats.for_route("items")
    span = max(r["end"] for r in records) - min(r["start"] for r in records)
    busy = sum(r["end"] - r["start"] for r in records) / span
    ctx.expect(
        busy >= 0.65 * limit,
        f"bounded_gather seems to run the requests in batches: on average only {busy:.1f} of "
        f"the {limit} slots were busy ({span:.2f} s in all). Start the next coroutine as soon "
        "as ANY one finishes, not when a whole batch is done: wrap each coroutine in "
        "`async with semaphore:` and start them all together.",
    )

    # Failing coroutines: their exceptions take their places, and their slots go to the next.
    ctx.lab.reset()
    limit2 = 3
    specs = [("/status/500", 0.05), ("/items/40", 0.15), ("/status/503", 0.05)]
    specs += [(f"/items/{i}", 0.15) for i in range(41, 49)]
    try:
        result2, made2 = await _bounded_run(ctx, bounded_gather, specs, limit2, allow_leaks=True)
    except LearnerError as exc:
        inner = leaves(exc.__cause__) if exc.__cause__ is not None else []
        if any(isinstance(e, aiohttp.ClientResponseError) for e in inner):
            group = isinstance(exc.__cause__, BaseExceptionGroup)
            raise CheckFailed(
                "When some coroutines raised (two of them get a 500 / 503 answer), bounded_gather "
                f"raised {'an ExceptionGroup (a TaskGroup cancels the others when one fails)' if group else 'the error'} "
                "instead of returning. Like `asyncio.gather(..., return_exceptions=True)`, put a "
                "failed coroutine's exception in its place in the list and let the others carry on.",
                hint="Catch the exception inside the wrapper (`except Exception as exc: return exc`), "
                "or gather with return_exceptions=True.",
            ) from None
        raise
    stats2 = ctx.lab.stats()
    want = ["ClientResponseError", 40, "ClientResponseError", *range(41, 49)]
    got2 = _ids(result2)
    ctx.expect(
        got2 == want and all(isinstance(result2[i], aiohttp.ClientResponseError) for i in (0, 2)),
        f"With two failing coroutines (places 0 and 2), bounded_gather returned {got2}; expected "
        f"{want}: each failed coroutine's exception in its place (as gather(..., "
        "return_exceptions=True) does), the other results in order.",
    )
    failed_end = max(r["end"] for r in stats2.for_route("status"))
    last_start = max(r["start"] for r in stats2.for_route("items"))
    after = stats2.max_concurrency_between(failed_end + 0.01, last_start, "items")
    ctx.expect(
        after >= limit2,
        f"After two coroutines raised, at most {after} request(s) ran at once, although the limit "
        f"is {limit2}: the slot of a coroutine that raises is never given back. Use `async with "
        "slots:` (or release() in a `finally:`), so that the slot is returned however the "
        "coroutine ends.",
        hint="`await slots.acquire()` ... `slots.release()` skips the release when the coroutine "
        "raises. `async with slots: return await coro` releases on every path.",
    )

    # Other sizes and limits, each call on its own: no coroutines, one, a limit of 1, a limit
    # above the number of coroutines.
    cases = [(0, 3), (1, 1), (5, 2), (3, 8), (6, 1)]
    for count, lim in cases:
        ctx.lab.reset()
        base = 60 + 10 * lim
        got, made3 = await _bounded_run(
            ctx,
            bounded_gather,
            [(f"/items/{base + i}", 0.06 if i % 2 else 0.03) for i in range(count)],
            lim,
        )
        s = ctx.lab.stats()
        ctx.expect(
            _ids(got) == [base + i for i in range(count)],
            f"bounded_gather({count} coroutine(s), limit={lim}) returned {_describe(got)}; expected "
            f"the {count} results in order" + (" (an empty list)" if not count else "") + ".",
        )
        p = s.peak("items")
        ctx.expect(
            p <= lim,
            _too_many(p, lim, count, made3, f" with limit={lim} ({count} coroutines)"),
            hint=_HOLD_HINT if made3 == 1 else "",
        )
        ctx.expect(
            not count or p == min(lim, count),
            f"With limit={lim} and {count} coroutines, at most {p} ran at once; "
            f"{min(lim, count)} may run together.",
        )
    return (
        f"{n} results in order; at most {peak} requests in flight (limit {limit}), "
        f"{busy:.1f} slots busy on average; failed coroutines gave their slots back; other sizes "
        "and limits right."
    )


# --------------------------------------------------------------------------- 2.2
EPS = 0.06  # slack (s) for timers and a busy machine: calls this close to one period apart are fine
LATE = 0.2  # how much later than necessary (s) an acquisition may come on a busy machine

_LOCK_HINT = (
    "Many tasks call acquire() at the same moment. If each one checks the window and then "
    "awaits, they all see the same free room and go together. Do the whole check-wait-record "
    "inside `async with self._lock:` (an asyncio.Lock made in __init__), and record the time "
    "of each call before the next caller decides."
)
_WINDOW_HINT = (
    "Keep the times (time.monotonic()) of the recent acquisitions in a collections.deque. A "
    "call may go when fewer than `calls` of them lie within the last `period` seconds; "
    "otherwise it waits until the oldest is `period` old. No counters that reset, no tokens "
    "that refill."
)


async def _acquisitions(limiter: Any, arrivals: list[float]) -> list[tuple[float, float]]:
    """Call limiter.acquire() from one task per arrival time (s from now); (arrived,
    acquired) per call, absolute monotonic times, sorted by acquisition."""
    out: list[tuple[float, float]] = []
    start = time.monotonic()

    async def one(at: float) -> None:
        await asyncio.sleep(max(0.0, start + at - time.monotonic()))
        arrived = time.monotonic()
        await limiter.acquire()
        out.append((arrived, time.monotonic()))

    try:
        async with asyncio.TaskGroup() as tg:
            for at in arrivals:
                tg.create_task(one(at))
    except BaseExceptionGroup as group:
        _raise_leaf(group)
    return sorted(out, key=lambda p: p[1])


def _judge_limiter(
    stamps: list[tuple[float, float]],
    calls: int,
    period: float,
    what: str,
    fresh_first: bool = False,
) -> None:
    """Fail with a diagnosis that follows the observed acquisition times."""
    acq = [a for _, a in stamps]
    arrivals = sorted(r for r, _ in stamps)
    t0 = min(arrivals)
    timeline = ", ".join(f"{a - t0:.2f}" for a in acq)
    for k in range(calls, len(acq)):
        span = acq[k] - acq[k - calls]
        if span >= period - EPS:
            continue
        # calls + 1 acquisitions within less than one period: why?
        same = max(sum(1 for b in acq if 0 <= b - a < 0.02) for a in acq)
        head = (
            f"{what}: {calls + 1} calls returned from acquire() within {span:.2f} s, but "
            f"RateLimiter({calls}, {period:g}) allows at most {calls} in any {period:g} s. "
            f"acquire() returned at (s): {timeline}. "
        )
        if same > calls:
            raise CheckFailed(
                head + f"{same} of them returned at the same moment: each caller saw room in the "
                "window before any of them had recorded its call (or they all slept the same "
                "time). Let the callers decide one at a time: check, wait and record inside "
                "`async with self._lock:`.",
                hint=_LOCK_HINT,
            )
        group_at = acq[k]
        group = sum(1 for b in acq if abs(b - group_at) < 0.02)
        boundary = any(abs(group_at - (acq[0] + m * period)) < 0.05 for m in range(1, 20))
        if group >= 2 and boundary:
            raise CheckFailed(
                head + f"A group of {group} went together when a new period began "
                f"({group_at - t0:.2f} s): a counter that resets every period lets the calls at "
                "the end of one period and the start of the next meet. Count the calls in the "
                "last `period` seconds instead (a sliding window).",
                hint=_WINDOW_HINT,
            )
        raise CheckFailed(
            head + "Room came back bit by bit, before the oldest of the last calls was one "
            "period old, as in a token bucket (with `burst` tokens and `rate` per second it lets "
            "burst + rate·period calls through in one period). Remember when the last `calls` "
            f"acquisitions happened and wait until the oldest is {period:g} s old.",
            hint=_WINDOW_HINT,
        )
    for k, a in enumerate(acq):
        due = max(arrivals[k], acq[k - calls] + period if k >= calls else arrivals[k])
        late = a - due
        if late <= LATE:
            continue
        if k < calls:
            if fresh_first:
                raise CheckFailed(
                    f"{what}: a NEW RateLimiter({calls}, {period:g}) made call {k + 1} wait "
                    f"{late:.2f} s, although nothing had gone through it yet (acquire() returned "
                    f"at (s): {timeline}). It seems to count the calls of other limiters: keep "
                    "the state in the instance (`self._starts = deque()` in __init__), not in "
                    "the class body, a global or a default argument.",
                    hint="Attributes assigned in the class body (or a mutable default argument) "
                    "are shared by every instance. Create the deque and the lock in __init__.",
                )
            gaps = [round(acq[i + 1] - acq[i], 2) for i in range(min(calls, len(acq)) - 1)]
            spaced = len(gaps) >= 2 and all(abs(g - period / calls) < 0.06 for g in gaps)
            raise CheckFailed(
                f"{what}: call {k + 1} waited {late:.2f} s in acquire() although the window had "
                f"room (acquire() returned at (s): {timeline}). When fewer than {calls} calls "
                f"happened in the last {period:g} s, acquire() must return at once"
                + (
                    f": spacing the calls evenly ({period / calls:.2f} s apart) is slower than the "
                    f"contract, which lets up to {calls} go together."
                    if spaced
                    else "."
                ),
                hint="Only wait when the window is full: `while len(self._starts) >= self.calls:` "
                "... ; with room, record the time and return without sleeping.",
            )
        raise CheckFailed(
            f"{what}: call {k + 1} came {late:.2f} s later than needed (acquire() returned at (s): "
            f"{timeline}). When the window is full, wait only until the oldest of the last "
            f"{calls} calls is {period:g} s old, then go.",
            hint=_WINDOW_HINT,
        )


@task("2.2")
async def check_rate_limiter(ctx: CheckContext) -> str:
    fetch_at_rate = ctx.function()
    RateLimiter = learner_class(ctx, "RateLimiter")
    found: dict[str, Any] = {}

    async def limiter_scenarios() -> None:
        # 1. Four calls at once, then seven more 0.25 s later, through RateLimiter(5, 0.6).
        first = RateLimiter(5, 0.6)
        found["main"] = await _acquisitions(first, [0.0] * 4 + [0.25] * 7)
        # 2. Fresh limiters, beside the used one and beside each other, with other settings.
        fresh = [
            (RateLimiter(5, 0.6), 5, 0.6, 5),
            (RateLimiter(2, 0.3), 2, 0.3, 5),
            (RateLimiter(1, 0.2), 1, 0.2, 3),
        ]
        runs = await asyncio.gather(*(_acquisitions(lim, [0.0] * k) for lim, _, _, k in fresh))
        found["fresh"] = [
            (calls, period, stamps)
            for (_, calls, period, _), stamps in zip(fresh, runs, strict=True)
        ]

    await ctx.run(named(limiter_scenarios(), "RateLimiter"), timeout=8)
    _judge_limiter(
        found["main"],
        5,
        0.6,
        "Through RateLimiter(5, 0.6), 4 calls at once then 7 more 0.25 s later",
    )
    for calls, period, stamps in found["fresh"]:
        _judge_limiter(
            stamps,
            calls,
            period,
            f"{len(stamps)} calls at once through a new RateLimiter({calls}, {period:g})",
            fresh_first=True,
        )

    # The given fetch_at_rate, through a fresh limiter: the results and the lab's timeline.
    ctx.lab.reset()
    urls = [ctx.lab.url(f"/items/{i}", delay=0.05) for i in (15, 11, 14, 12, 13)]
    result = await ctx.run(fetch_at_rate(urls, RateLimiter(3, 0.4)))
    stats = ctx.lab.stats()
    ids = _ids(result)
    ctx.expect(
        ids == [15, 11, 14, 12, 13],
        f"fetch_at_rate returned items {ids}; expected [15, 11, 14, 12, 13], in the order of the "
        "URLs. Is fetch_at_rate still as given, and does acquire() return None?",
    )
    starts = sorted(r["start"] for r in stats.requests)
    ctx.expect(
        len(starts) == 5 and starts[3] - starts[0] >= 0.4 - 0.1,
        f"Through RateLimiter(3, 0.4), the lab service saw 4 of the 5 requests start within "
        f"{starts[3] - starts[0]:.2f} s; at most 3 may start in any 0.4 s."
        if len(starts) == 5
        else f"The lab service saw {len(starts)} requests for 5 URLs.",
    )
    main = found["main"]
    last = main[-1][1] - main[0][0]
    return (
        f"never more than `calls` in any period (e.g. 11 calls through RateLimiter(5, 0.6): the "
        f"last after {last:.2f} s, the ideal is 1.20 s); calls with room went at once; new "
        "limiters did not wait for old ones; fetch_at_rate kept to RateLimiter(3, 0.4)."
    )


# --------------------------------------------------------------------------- 2.3
KEYS = {"a": 11, "b": 12, "c": 13, "flaky": 14, ("ghost", 1): 15}
_COROUTINE_HINT = (
    "A coroutine object can be awaited only once. Store a task instead: "
    "`tasks[key] = asyncio.create_task(fetch(key))`; every caller can await the same task."
)


@task("2.3")
async def check_single_flight(ctx: CheckContext) -> str:
    single_flight = ctx.function(is_async=False)
    if inspect.iscoroutinefunction(single_flight):
        raise CheckFailed(
            "single_flight should be a plain `def` that returns an async function; it is an "
            "`async def`, so single_flight(fetch) gives a coroutine, not something to call."
        )
    lab = ctx.lab
    fetched: Counter[Any] = Counter()  # calls of fetch(key), per key
    other: Counter[Any] = Counter()  # calls of the second cache's fetch
    seen: dict[str, Any] = {}

    async def fetch_with_single_flight() -> None:
        async with _session() as session:

            async def fetch(key: Any) -> Any:
                fetched[key] += 1
                if key == "nothing":  # a result that is falsy, but a result
                    await asyncio.sleep(0.1)
                    return None
                if key == "flaky" and fetched[key] == 1:  # the first attempt: an HTTP error
                    await _get_json(session, lab.url("/status/503", delay=0.15))
                if key == ("ghost", 1) and fetched[key] == 1:  # the first attempt: another error
                    await asyncio.sleep(0.1)
                    raise LookupError("no such user (yet)")
                return await _get_json(session, lab.url(f"/items/{KEYS[key]}", delay=0.2))

            get = single_flight(fetch)
            if not callable(get):
                raise CheckFailed(
                    f"single_flight(fetch) returned {type(get).__name__}; it should return an "
                    "async function `get(key)`."
                )
            keys = ["a", "b", "a", "c", "b", "a", "c", "a", "b", "c", "a", "b"]
            seen["round1"] = list(
                zip(keys, await asyncio.gather(*(get(k) for k in keys)), strict=True)
            )
            seen["after1"] = Counter(fetched)
            seen["round2"] = await asyncio.gather(get("a"), get("b"))
            seen["after2"] = Counter(fetched)
            failing = ["flaky", ("ghost", 1), "flaky", ("ghost", 1), "flaky"]
            seen["round3"] = list(
                zip(
                    failing,
                    await asyncio.gather(*(get(k) for k in failing), return_exceptions=True),
                    strict=True,
                )
            )
            for _, outcome in seen["round3"]:  # a stub, or a stop from the loop watch: pass it on
                if isinstance(outcome, NotImplementedError | RuntimeError) or (
                    isinstance(outcome, BaseException) and not isinstance(outcome, Exception)
                ):
                    raise outcome
            seen["round4"] = []
            for key in ("flaky", ("ghost", 1)):
                try:
                    seen["round4"].append((key, await get(key)))
                except Exception as exc:  # judged below
                    seen["round4"].append((key, exc))
            seen["nothing"] = await asyncio.gather(get("nothing"), get("nothing"), get("nothing"))
            seen["nothing_again"] = await get("nothing")

            # A second cache, made beside the used one, with a fetch of its own.
            async def other_fetch(key: Any) -> Any:
                other[key] += 1
                await asyncio.sleep(0.05)
                return {"id": -1, "key": key}

            get2 = single_flight(other_fetch)
            seen["second"] = await asyncio.gather(get2("a"), get2("a"))
            seen["first_again"] = await get("a")

    try:
        await ctx.run(named(fetch_with_single_flight(), "single_flight"))
    except LearnerError as exc:
        cause = exc.__cause__
        if isinstance(cause, RuntimeError) and "coroutine" in str(cause) and "await" in str(cause):
            raise CheckFailed(
                f"get() raised {type(cause).__name__}: {cause}. Your cache keeps the coroutine "
                "object fetch(key) and lets several callers await it: a coroutine runs only once. "
                "Wrap it in a task when you start it (`asyncio.create_task(fetch(key))`) and keep "
                "the task: any number of callers can await one task.",
                hint=_COROUTINE_HINT,
            ) from None
        raise
    stats = lab.stats()

    def good(key: Any, value: object) -> bool:
        return _is_item(value, KEYS[key])

    wrong = [(k, v) for k, v in seen["round1"] if not good(k, v)]
    ctx.expect(
        not wrong,
        f"get({wrong[0][0]!r}) returned {_describe(wrong[0][1])}; expected what fetch({wrong[0][0]!r}) "
        f"returns, the item with id {KEYS[wrong[0][0]]}."
        if wrong
        else "",
    )
    after1 = seen["after1"]
    dup = {k: after1[k] for k in "abc" if after1[k] != 1}
    ctx.expect(
        not dup,
        "Concurrent calls for the same key each called fetch: "
        + ", ".join(f"{after1[k]} calls for {k!r}" for k in dup)
        + " (5, 4 and 3 callers asked for 'a', 'b' and 'c' at the same time; the lab service "
        f"saw {stats.by_path.get('/items/11', 0)} requests for 'a'). Expected ONE fetch per key. "
        "Remember the in-flight fetch itself (a task) as soon as you start it, so that the "
        "callers who come while it runs await that same task.",
    )
    peak = stats.peak("items")
    ctx.expect(
        peak >= 3,
        f"The three different keys were fetched one at a time (at most {peak} request in "
        "flight). Only callers of the SAME key should wait for each other: keep one task (or "
        "lock) per key, not one lock for everything.",
    )
    ctx.expect(
        [good(k, v) for k, v in zip("ab", seen["round2"], strict=True)] == [True, True],
        f"Asked again for 'a' and 'b', get returned {_describe(seen['round2'])} instead of the cached items.",
    )
    again = {k: seen["after2"][k] - after1[k] for k in "ab" if seen["after2"][k] != after1[k]}
    ctx.expect(
        not again,
        f"Asking again for keys that were already fetched called fetch again ({again}). Keep "
        "finished results: a later call for the same key should return the stored value.",
    )
    odd = [(k, r) for k, r in seen["round3"] if not (isinstance(r, Exception) or good(k, r))]
    ctx.expect(
        not odd,
        f"While fetch({odd[0][0]!r}) failed, get({odd[0][0]!r}) returned {_describe(odd[0][1])} "
        "instead of raising that failure or trying again."
        if odd
        else "",
    )
    for key, value in seen["round4"]:
        ctx.expect(
            good(key, value),
            f"After fetch({key!r}) failed once (it raised "
            f"{'an HTTP 503 error' if key == 'flaky' else 'LookupError'}), the next get({key!r}) gave "
            f"{_describe(value)} instead of trying again: the failure was cached. Store only "
            "successes; when the fetch raises (any exception), forget the key so that the next "
            "call starts a new fetch.",
        )
    ctx.expect(
        seen["nothing"] == [None, None, None]
        and seen["nothing_again"] is None
        and fetched["nothing"] == 1,
        f"fetch('nothing') returns None (a result like any other). Three concurrent get('nothing') "
        f"and one more later made {fetched['nothing']} call(s) of fetch and returned "
        f"{_describe(seen['nothing'])} then {_describe(seen['nothing_again'])}; expected one call and "
        "None every time. Test whether the key is in the cache (`key in cache`), not whether the "
        "stored value is truthy.",
    )
    ctx.expect(
        other["a"] == 1 and seen["second"] == [{"id": -1, "key": "a"}] * 2,
        f"A second cache, single_flight(other_fetch), answered get('a') with "
        f"{_describe(seen['second'])} and called other_fetch {other['a']} time(s): it used what "
        "the first cache had stored. Each call of single_flight must make its own cache: create "
        "the dict inside single_flight, not at module level or as a default argument.",
        hint="Create the dict of tasks (or results) inside single_flight, next to `get`, so that "
        "every wrapper has its own.",
    )
    ctx.expect(
        good("a", seen["first_again"]),
        f"After a second cache was made, the first one answered get('a') with "
        f"{_describe(seen['first_again'])}: each cache must keep its own results.",
    )
    return (
        f"12 concurrent calls for 3 keys made {sum(after1[k] for k in 'abc')} fetches (peak {peak} in "
        "flight); repeats and a None result came from the cache; failures (HTTP and others) were "
        "retried on the next call; a second cache kept its own results."
    )


# --------------------------------------------------------------------------- 2.4
@task("2.4")
async def check_fetch_on_signal(ctx: CheckContext) -> str:
    fetch_on_signal = ctx.function()
    lab = ctx.lab

    async def with_signal(
        urls: list[str],
        go: asyncio.Event,
        timeout: float,  # noqa: ASYNC109 - the learner's parameter, passed on
        after: float | None,
    ) -> tuple[Any, list[float], float]:
        signalled: list[float] = []

        async def signal_later() -> None:
            await asyncio.sleep(after or 0)
            signalled.append(time.monotonic())
            go.set()

        signaller = asyncio.create_task(signal_later()) if after is not None else None
        called = time.monotonic()
        try:
            result = await ctx.run(fetch_on_signal(urls, go, timeout), timeout=6)
        finally:
            if signaller is not None:
                signaller.cancel()
        return result, signalled, time.monotonic() - called

    # 1. The signal comes after 0.52 s (just after a poll every 0.25 s or 0.5 s would look);
    # eight URLs.
    n, wait_first = 8, 0.52
    ids = [5, 2, 7, 0, 6, 1, 4, 3]
    urls = [lab.url(f"/items/{i}", delay=0.2) for i in ids]
    result, signalled, returned = await with_signal(urls, asyncio.Event(), 5.0, wait_first)
    stats = lab.stats()
    got = _ids(result)
    ctx.expect(
        got == ids,
        f"fetch_on_signal returned items {got}; expected {ids}, in the order of the URLs.",
    )
    ctx.expect(stats.count == n, f"The lab service saw {stats.count} requests for {n} URLs.")
    ctx.expect(
        signalled,
        f"fetch_on_signal returned after {returned:.2f} s, before the start signal (due at "
        f"{wait_first} s): its {stats.count} requests all started before the start signal. Wait for "
        "it first, `await go.wait()`, then send the requests.",
    )
    fired = signalled[0]
    starts = sorted(r["start"] for r in stats.requests)
    early = [s for s in starts if s < fired]
    ctx.expect(
        not early,
        f"{len(early)} request(s) started {fired - early[0]:.2f} s before the start signal. Wait "
        "for it first: `await go.wait()`, then send the requests."
        if early
        else "",
    )
    peak = stats.peak("items")
    ctx.expect(
        peak == n,
        f"After the signal the requests ran one at a time or in small groups (peak {peak} in "
        f"flight of {n}). Once `go` is set, start them all together (gather or TaskGroup).",
    )
    late = starts[-1] - fired
    ctx.expect(
        late <= 0.2,
        f"The requests started up to {late:.2f} s after the signal. `await go.wait()` wakes "
        "the moment the event is set; a loop that checks go.is_set() and sleeps in between "
        "reacts late.",
    )

    # 2. The signal comes in time (0.3 s of a 0.6 s timeout), the fetches take longer than
    # what is left: the timeout covers the wait only, so this must succeed.
    lab.reset()
    slow = [lab.url(f"/items/{i}", delay=0.5) for i in (21, 20, 22)]
    try:
        result2, _, took2 = await with_signal(slow, asyncio.Event(), 0.6, 0.3)
    except LearnerError as exc:
        if isinstance(exc.__cause__, TimeoutError):
            raise CheckFailed(
                "With timeout=0.6, the signal came after 0.3 s, and fetch_on_signal still raised "
                "TimeoutError: its deadline also covered the requests (0.5 s each, sent after the "
                "signal). `timeout` limits only the wait for the signal: put only `await go.wait()` "
                "inside `async with asyncio.timeout(timeout):`, and fetch after that block.",
                hint="End the `async with asyncio.timeout(timeout):` block right after `await go.wait()`; "
                "the ClientSession and the gather come after it, outside the block.",
            ) from None
        raise
    ctx.expect(
        _ids(result2) == [21, 20, 22],
        f"With the signal after 0.3 s and requests of 0.5 s, fetch_on_signal returned "
        f"{_describe(result2)}; expected items [21, 20, 22].",
    )

    # 3. The signal is already set: go at once; no URLs gives [].
    for case in ([9, 9], []):
        lab.reset()
        ready = asyncio.Event()
        ready.set()
        value, _, took = await with_signal(
            [lab.url(f"/items/{i}", delay=0.05) for i in case], ready, 0.5, None
        )
        ctx.expect(
            _ids(value) == case and took < 0.45,
            f"With `go` already set and the URLs of items {case}, fetch_on_signal returned "
            f"{_describe(value)} after {took:.2f} s; expected {case} at once.",
        )

    # 4. The signal never comes.
    lab.reset()
    never = asyncio.Event()
    started = time.monotonic()
    timeout = 0.4
    try:
        value = await ctx.run(fetch_on_signal(urls[:2], never, timeout), timeout=4)
    except TimedOut:
        raise CheckFailed(
            f"With timeout={timeout} and no signal, fetch_on_signal was still waiting after 4 s. It "
            "should raise TimeoutError once `timeout` seconds have passed: wrap the wait in "
            "`async with asyncio.timeout(timeout):`."
        ) from None
    except LearnerError as exc:
        ctx.expect(
            isinstance(exc.__cause__, TimeoutError),
            f"With no signal, fetch_on_signal should raise TimeoutError (let the one from "
            f"asyncio.timeout propagate); it raised: {exc}",
        )
    else:
        raise CheckFailed(
            f"The signal never came, yet fetch_on_signal returned {_describe(value)}. It should raise "
            "TimeoutError after `timeout` seconds: let the TimeoutError from asyncio.timeout "
            "propagate instead of catching it.",
            hint="Do not wrap the wait in try/except TimeoutError: the caller needs to know that "
            "the signal never came.",
        )
    gave_up = time.monotonic() - started
    ctx.expect(
        timeout - 0.05 <= gave_up <= timeout + 0.5,
        f"With timeout={timeout} and no signal, fetch_on_signal raised TimeoutError after "
        f"{gave_up:.2f} s; expected it after about {timeout} s.",
    )
    quiet = lab.stats()
    ctx.expect(
        quiet.count == 0,
        f"The signal never came, yet the lab service saw {quiet.count} request(s). Send nothing "
        "until `go` is set.",
    )
    return (
        f"no request before the signal; all {n} started within {late:.2f} s of it; the timeout "
        f"covered only the wait; an event already set went at once; without a signal it gave up "
        f"after {gave_up:.2f} s with TimeoutError."
    )
