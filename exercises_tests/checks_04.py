"""Checks for module 04: timeouts, cancellation and error handling.

Each check runs the learner's function against the lab service, several times and on several
inputs, and judges what came back and what the service recorded: how many attempts it saw per
URL and when (the gaps between attempts), which requests were cancelled, and when the last one
ended. ``CheckContext.run`` adds what the event loop saw: stalls, busy-waiting, sessions opened,
and tasks left running or cancellations swallowed on every exit path. Messages say what
happened, what was expected and what to try next.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from statistics import mean, stdev
from typing import Any

import aiohttp
from hypothesis import strategies as st

from asynclab.checking import CheckContext, CheckFailed, describe_error, task
from exercises_tests.helpers import examples, item_value, leaves, rename

SEED = 1  # the seed of the fault plans below (passed in the query, so the lab's seed does not matter)


@dataclass
class Call:
    """What one call of the learner's function did: its value or its exception, and how long."""

    value: Any
    error: BaseException | None
    seconds: float


async def _call(aw: Any) -> Call:
    """Await the learner's coroutine; an exception it raises is data for the check, except the
    ones the machinery must see (the stub's NotImplementedError, the loop watch's own)."""
    started = time.monotonic()
    try:
        value = await aw
    except NotImplementedError:
        raise
    except Exception as exc:
        if type(exc).__module__ == "asynclab.checking":
            raise
        return Call(None, exc, time.monotonic() - started)
    return Call(value, None, time.monotonic() - started)


async def _run_call(ctx: CheckContext, name: str, aw: Any) -> Call:
    """ctx.run(...) of one call of the learner's function, named after it in ctx.run's messages."""

    @rename(name)
    async def runner() -> Call:
        return await _call(aw)

    return await ctx.run(runner())


def _attempts(stats: Any, path: str) -> list[dict[str, Any]]:
    return sorted((r for r in stats.requests if r["path"] == path), key=lambda r: r["start"])


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3].split("?")[0]


def _brief(exc: BaseException | None) -> str:
    """A short description of an exception, without aiohttp's long request details."""
    if exc is None:
        return "nothing"
    if isinstance(exc, BaseExceptionGroup):
        return f"{type(exc).__name__}([{', '.join(_brief(e) for e in exc.exceptions)}])"
    if isinstance(exc, aiohttp.ClientResponseError):
        url = exc.request_info.real_url if exc.request_info is not None else None
        return f"ClientResponseError({exc.status} from {url.path if url is not None else '?'})"
    errors = getattr(exc, "errors", None)
    if isinstance(errors, list | tuple):
        return f"{type(exc).__name__}([{', '.join(_brief(e) for e in errors)}])"
    text = str(exc)
    return f"{type(exc).__name__}({text[:120]!r})" if text else f"{type(exc).__name__}()"


def _outcome(call: Call) -> str:
    return f"returned {call.value!r}"[:200] if call.error is None else f"raised {_brief(call.error)}"


def _flaky_plan(item_id: int, attempts: int, fail_rate: float = 0.5, fault: str = "mix") -> list[str]:
    """What /flaky/{item_id}?seed=SEED answers at each attempt (the same draws as the service)."""
    plan = []
    for attempt in range(attempts):
        draw = random.Random(":".join(map(str, (SEED, "flaky", item_id, attempt))))
        kind = "ok"
        if draw.random() < fail_rate:
            kind = draw.choice(("500", "timeout", "drop")) if fault == "mix" else fault
        plan.append(kind)
    return plan


def _is_item(value: Any, item_id: int) -> bool:
    return isinstance(value, dict) and value.get("id") == item_id and value.get("value") == item_value(item_id)


# --------------------------------------------------------------------------- 4.1
RETRY_HINT = (
    "Before retry number n sleep `random.uniform(0, min(max_delay, base_delay * 2 ** (n - 1)))`."
)
SWALLOW_HINT = (
    "The deadline of `async with asyncio.timeout(deadline):` works by cancelling your code at "
    "the deadline: a CancelledError arrives wherever it is waiting. `except BaseException:`, a "
    "bare `except:` or `except asyncio.CancelledError:` without `raise` catches it as if an "
    "attempt had failed, and the loop goes on. Catch only what is worth retrying: "
    "`except aiohttp.ClientResponseError` and `except (TimeoutError, aiohttp.ClientConnectionError)`."
)
CLOCK_HINT = (
    "A deadline checked with the clock between attempts cannot stop an attempt (or a wait) that "
    "is already running. Put the whole retry loop, sleeps included, inside "
    "`async with asyncio.timeout(deadline):`; it cancels whatever is running when time is up."
)


@dataclass
class Edge:
    """One call of fetch_with_retry with a URL that always behaves the same way."""

    url: str
    kind: str  # "4xx", "5xx", "429", "drop", "hang", "ok"
    attempts: int
    attempt_timeout: float = 2.0


def _edges(lab: Any) -> list[Edge]:
    return [
        Edge(lab.url("/status/404", delay=0.02), "4xx", 4),
        Edge(lab.url("/status/400", delay=0.02), "4xx", 3),
        Edge(lab.url("/status/501", delay=0.02), "4xx", 3),  # not retryable either: never implemented
        Edge(lab.url("/status/500", delay=0.02), "5xx", 1),
        Edge(lab.url("/status/502", delay=0.02), "5xx", 2),
        Edge(lab.url("/status/503", delay=0.02), "5xx", 3),
        Edge(lab.url("/status/504", delay=0.02), "5xx", 2),
        Edge(lab.url("/status/408", delay=0.02), "5xx", 2),  # the server gave up waiting: retry
        Edge(lab.url("/status/429", delay=0.02), "429", 2),
        Edge(lab.url("/flaky/90", fail_rate=1, fault="drop", delay=0.02, seed=SEED), "drop", 3),
        Edge(lab.url("/flaky/91", fail_rate=1, fault="timeout", hang=1.5, delay=0.02, seed=SEED),
             "hang", 2, attempt_timeout=0.2),
        Edge(lab.url("/items/92", delay=0.02), "ok", 3),
    ]


BACKOFF_IDS = range(100, 116)
BACKOFF_ATTEMPTS, BACKOFF_BASE, BACKOFF_CAP = 6, 0.1, 0.6
MIXED_IDS = [1, 3, 4, 12, 14, 26]  # each succeeds within 4 attempts (see _flaky_plan)
MIXED_ATTEMPT_TIMEOUT = 0.4
LIMITED_IDS = [1, 2, 3]
LIMITED_RATE, LIMITED_BURST = 4, 1  # one request per 0.25 s


async def _retry_everything(ctx: CheckContext, fetch_with_retry: Any) -> str:
    """Every scenario without a deadline: side by side in one run (they use different paths),
    URLs that always give the same answer (a 4xx, each 5xx, a 429, a drop, a hang, an item),
    a rate limit, and a mix of faults; then sixteen always-failing URLs for the waits."""
    lab = ctx.lab
    lab.reset()
    edges = _edges(lab)
    backoff = [lab.url(f"/flaky/{i}", fail_rate=1, fault="500", delay=0.02, seed=SEED) for i in BACKOFF_IDS]
    limited = [lab.url(f"/limited/{i}", rate=LIMITED_RATE, burst=LIMITED_BURST, key="check-4.1")
               for i in LIMITED_IDS]
    mixed = [lab.url(f"/flaky/{i}", fail_rate=0.5, fault="mix", delay=0.02, hang=1.5, seed=SEED)
             for i in MIXED_IDS]
    session = aiohttp.ClientSession()  # the check's own, opened outside the learner's run

    def one(url: str, **kw: Any) -> Any:
        return _call(fetch_with_retry(session, url, **kw))

    @rename("fetch_with_retry")
    async def everything() -> tuple[list[Call], list[Call], list[Call]]:
        groups = await asyncio.gather(
            asyncio.gather(*(one(e.url, attempts=e.attempts, base_delay=0.05, max_delay=0.1,
                                 attempt_timeout=e.attempt_timeout, deadline=10.0) for e in edges)),
            asyncio.gather(*(one(u, attempts=4, base_delay=0.01, max_delay=0.05,
                                 attempt_timeout=2.0, deadline=10.0) for u in limited)),
            asyncio.gather(*(one(u, attempts=6, base_delay=0.05, max_delay=0.2,
                                 attempt_timeout=MIXED_ATTEMPT_TIMEOUT, deadline=6.0) for u in mixed)),
        )
        return tuple(list(g) for g in groups)  # type: ignore[return-value]

    @rename("fetch_with_retry")
    async def failing_urls() -> list[Call]:
        # alone, so that the waits measured are the learner's, not a crowded event loop's
        return list(await asyncio.gather(*(
            one(u, attempts=BACKOFF_ATTEMPTS, base_delay=BACKOFF_BASE, max_delay=BACKOFF_CAP,
                attempt_timeout=2.0, deadline=15.0) for u in backoff)))

    try:
        edge_calls, limited_calls, mixed_calls = await ctx.run(everything())
        sessions = ctx.last.sessions
        stats = lab.stats()
        lab.reset()
        backoff_calls = await ctx.run(failing_urls())
        sessions += ctx.last.sessions
    finally:
        await session.close()
    ctx.expect(
        sessions == 0,
        f"fetch_with_retry opened {sessions} aiohttp.ClientSession(s) of its own. Use the "
        "`session` it is given: `fetch_json(session, url)`. A session per call throws away the "
        "connections it could reuse.",
    )
    backoff_stats = lab.stats()
    _judge_edges(ctx, stats, edges, edge_calls)
    faults = _judge_mixed(ctx, stats, mixed, mixed_calls)
    _judge_limited(ctx, stats, limited, limited_calls)
    waits = _judge_backoff(ctx, backoff_stats, backoff, backoff_calls)
    return (f"{BACKOFF_ATTEMPTS} attempts per failing URL, mean wait before retries 1-{BACKOFF_ATTEMPTS - 1}: "
            + "/".join(f"{w * 1000:.0f}" for w in waits) + " ms; 4xx raised at once; 500/502/503/504/429, "
            f"drops and hung attempts retried and the last error raised; 429 waits honoured; "
            f"{faults} injected faults survived")


def _judge_edges(ctx: CheckContext, stats: Any, edges: list[Edge], calls: list[Call]) -> None:
    for e, call in zip(edges, calls, strict=True):
        path, n = _path(e.url), e.attempts
        seen = _attempts(stats, path)
        if e.kind == "4xx":
            code = int(path.rsplit("/", 1)[1])
            ctx.expect(
                len(seen) <= 1,
                f"fetch_with_retry retried a {code}: the lab service saw {len(seen)} requests for "
                f"{path}. "
                + ("A 501 says the server does not implement this at all"
                   if code == 501 else "A 4xx answer (other than 408 and 429) says the request itself is wrong")
                + ", and asking again cannot fix it: raise the aiohttp.ClientResponseError at once. "
                "Retry only 408, 429, 500, 502, 503 and 504.",
            )
            ctx.expect(
                isinstance(call.error, aiohttp.ClientResponseError) and call.error.status == code,
                f"For {path} fetch_with_retry {_outcome(call)}. It should raise the "
                f"aiohttp.ClientResponseError (status {code}) that fetch_json raises.",
            )
        elif e.kind == "ok":
            ctx.expect(
                call.error is None and _is_item(call.value, 92),
                f"For {path}, which answers at once, fetch_with_retry {_outcome(call)}; expected "
                "its JSON (item 92).",
            )
            ctx.expect(
                len(seen) == 1,
                f"For {path}, which answered at the first try, the lab service saw {len(seen)} "
                "requests: return the JSON as soon as an attempt succeeds.",
            )
    for e, call in zip(edges, calls, strict=True):
        path, n = _path(e.url), e.attempts
        seen = _attempts(stats, path)
        if e.kind in ("5xx", "429"):
            code = int(path.rsplit("/", 1)[1])
            why = ("a 429 asks you to come back later" if code == 429
                   else "a 408 says the server gave up waiting for the request" if code == 408
                   else f"a {code} is a server error worth retrying")
            ctx.expect(
                len(seen) <= n,
                f"With attempts={n}, fetch_with_retry made {len(seen)} requests for {path}: "
                f"`attempts` counts every try, the first one included, so at most {n}.",
            )
            ctx.expect(
                len(seen) == n,
                f"fetch_with_retry gave up on {path} after {len(seen)} attempt(s) with attempts={n}, "
                f"although {why}: retry on 408, 429, 500, 502, 503 and 504, until the "
                f"{n} attempts are used up.",
            )
            ctx.expect(
                isinstance(call.error, aiohttp.ClientResponseError) and call.error.status == code,
                f"After {n} failed attempt(s) at {path} (every answer {code}), fetch_with_retry "
                f"{_outcome(call)}. When every attempt fails, raise the last error itself: the "
                f"aiohttp.ClientResponseError of the last answer.",
            )
        elif e.kind == "drop":
            ctx.expect(
                len(seen) >= n,
                f"{path} closes the connection without answering. fetch_with_retry "
                f"{_outcome(call)} after the lab service saw {len(seen)} request(s), with "
                f"attempts={n}: a dropped connection (aiohttp.ClientConnectionError, e.g. "
                "ServerDisconnectedError) may work the next time, so retry it.",
            )
            ctx.expect(
                isinstance(call.error, aiohttp.ClientConnectionError),
                f"Every attempt at {path} lost its connection, and fetch_with_retry "
                f"{_outcome(call)}. Raise the last error: the aiohttp.ClientConnectionError of the "
                "last attempt.",
            )
        elif e.kind == "hang":
            held = max(((r["end"] or stats.now) - r["start"] for r in seen), default=0.0)
            ctx.expect(
                held <= e.attempt_timeout + 0.4,
                f"An attempt at {path} hung (the service never answers) and fetch_with_retry waited "
                f"{held:.1f} s for it although attempt_timeout was {e.attempt_timeout} s. Give each "
                "attempt its own time limit: `async with asyncio.timeout(attempt_timeout):` around "
                "the request, and retry on TimeoutError.",
            )
            ctx.expect(
                len(seen) == n,
                f"Every attempt at {path} hangs; with attempts={n} and attempt_timeout="
                f"{e.attempt_timeout} s, fetch_with_retry made {len(seen)} request(s) and then "
                f"{_outcome(call)}. An attempt that took longer than attempt_timeout "
                f"(TimeoutError) is worth retrying: expected exactly {n} attempts.",
            )
            ctx.expect(
                isinstance(call.error, TimeoutError),
                f"Every attempt at {path} timed out, and fetch_with_retry {_outcome(call)}. "
                "Raise the last error: the TimeoutError of the last attempt.",
            )


def _judge_mixed(ctx: CheckContext, stats: Any, urls: list[str], calls: list[Call]) -> int:
    """500s, hung requests and dropped connections; every item must arrive."""
    for i, url, call in zip(MIXED_IDS, urls, calls, strict=True):
        path = _path(url)
        seen = _attempts(stats, path)
        plan = _flaky_plan(i, len(seen))
        for r, kind in zip(seen, plan, strict=True):
            if kind != "timeout":
                continue
            held = (r["end"] if r["end"] is not None else stats.now) - r["start"]
            ctx.expect(
                held <= MIXED_ATTEMPT_TIMEOUT + 0.4,
                f"An attempt at {path} hung (the service never answered) and fetch_with_retry "
                f"waited {held:.1f} s for it although attempt_timeout was {MIXED_ATTEMPT_TIMEOUT} s. "
                "Give each attempt its own time limit: `async with asyncio.timeout(attempt_timeout):` "
                "around the request, and retry on TimeoutError.",
            )
        if call.error is not None:
            ctx.expect(
                False,
                f"fetch_with_retry raised {_brief(call.error)} for {path}, whose attempts went: "
                f"{', '.join(plan) or 'none'}. Each of these faults is worth retrying: 5xx answers, "
                "TimeoutError (an attempt that took longer than attempt_timeout) and "
                "aiohttp.ClientConnectionError (the server dropped the connection).",
            )
        ctx.expect(
            _is_item(call.value, i),
            f"For {path} fetch_with_retry returned {call.value!r}; expected the item with id {i}.",
        )
    paths = {_path(u) for u in urls}
    return sum(1 for r in stats.requests if r["path"] in paths and r["outcome"] != "ok")


def _limited_waits(stats: Any, paths: set[str]) -> dict[int, float]:
    """Replay the service's token bucket over its log: the wait each 429 answer asked for."""
    asked: dict[int, float] = {}
    tokens, last = float(LIMITED_BURST), None
    records = sorted((r for r in stats.for_route("limited") if r["path"] in paths), key=lambda r: r["start"])
    for r in records:
        now = r["start"]
        tokens = LIMITED_BURST if last is None else min(LIMITED_BURST, tokens + (now - last) * LIMITED_RATE)
        last = now
        if r["status"] == 429:
            asked[r["id"]] = max(0.0, (1 - tokens) / LIMITED_RATE)
        else:
            tokens -= 1
    return asked


def _judge_limited(ctx: CheckContext, stats: Any, urls: list[str], calls: list[Call]) -> None:
    asked = _limited_waits(stats, {_path(u) for u in urls})
    for url in urls:
        seen = _attempts(stats, _path(url))
        for a, b in zip(seen, seen[1:], strict=False):
            if a["status"] != 429:
                continue
            waited, wanted = b["start"] - a["end"], asked.get(a["id"], 0.0)
            ctx.expect(
                waited >= wanted - 0.05,
                f"After a 429 answer for {_path(url)} that said Retry-After-Ms: "
                f"{wanted * 1000:.0f}, fetch_with_retry tried again {waited * 1000:.0f} ms later. "
                "Wait at least as long as the server asks: retry_after(error) reads the header; "
                "sleep the larger of that and your backoff.",
            )
    for i, url, call in zip(LIMITED_IDS, urls, calls, strict=True):
        if isinstance(call.error, aiohttp.ClientResponseError) and call.error.status == 429:
            ctx.expect(
                False,
                f"fetch_with_retry gave up on {_path(url)} with a 429 after {call.seconds:.2f} s "
                f"and {len(_attempts(stats, _path(url)))} attempts. A 429 says when to come back "
                "(retry_after(error)): wait that long and try again.",
            )
        ctx.expect(
            _is_item(call.value, i),
            f"For the rate-limited {_path(url)} fetch_with_retry {_outcome(call)}; expected the "
            f"item with id {i} once the limiter let it through.",
        )


def _judge_backoff(ctx: CheckContext, stats: Any, urls: list[str], calls: list[Call]) -> list[float]:
    """URLs that always answer 500/503: attempts per URL, the last error, and the waits."""
    n = BACKOFF_ATTEMPTS
    for url, call in zip(urls, calls, strict=True):
        path = _path(url)
        seen = _attempts(stats, path)
        ctx.expect(
            len(seen) <= n,
            f"The lab service saw {len(seen)} requests for {path} (it always answers 500/503); "
            f"with attempts={n} fetch_with_retry may try at most {n} times in total.",
        )
        ctx.expect(
            len(seen) == n,
            f"fetch_with_retry gave up on {path} after {len(seen)} attempt(s) although a 5xx "
            f"answer is worth retrying: with attempts={n} it should try {n} times. "
            "Retry on a status of 500 or more, and on 429.",
        )
        ctx.expect(
            call.error is not None,
            f"After {n} failed attempts at {path}, fetch_with_retry returned {call.value!r}. When "
            "every attempt fails, raise the last error (here the aiohttp.ClientResponseError of "
            "the last 5xx answer): a caller must not mistake a failure for a result.",
        )
        last = seen[-1]["status"]
        ctx.expect(
            isinstance(call.error, aiohttp.ClientResponseError) and call.error.status == last,
            f"The attempts at {path} were answered "
            + ", ".join(str(r["status"]) for r in seen)
            + f", and fetch_with_retry raised {_brief(call.error)}. Raise the last error itself: "
            f"the aiohttp.ClientResponseError of the last answer ({last}).",
        )
    # waits[k] per URL: from the end of attempt k to the start of attempt k+1 (service's clock)
    waits = [[b["start"] - a["end"] for a, b in zip(seen, seen[1:], strict=False)]
             for seen in (_attempts(stats, _path(u)) for u in urls)]
    every = [w for row in waits for w in row]
    first, last_request = min(r["start"] for r in stats.requests), max(r["end"] or 0 for r in stats.requests)
    ctx.expect(
        mean(every) >= 0.045,
        f"fetch_with_retry retried without waiting: {mean(every) * 1000:.0f} ms on average "
        f"between a failed attempt and the next ({len(every) + len(urls)} requests in "
        f"{last_request - first:.2f} s). Hammering a failing server only makes it worse. {RETRY_HINT}",
    )
    # On a busy machine every gap also holds some time that is nobody's wait (the answer
    # travelling back, the loops' lag): the shortest gap seen estimates it, and is taken off.
    floor = min(every)
    adjusted = [[max(0.0, w - floor) for w in row] for row in waits]
    by_retry = [mean(row[k] for row in waits) for k in range(n - 1)]
    early = sum(row[0] + row[1] for row in adjusted)
    late = sum(row[-2] + row[-1] for row in adjusted)
    ctx.expect(
        late > 1.8 * early,
        "The waits between attempts did not grow: on average "
        + ", ".join(f"{w * 1000:.0f}" for w in by_retry)
        + f" ms before retries 1 to {n - 1}. Double the upper limit of the wait at each "
        f"retry (exponential backoff), up to max_delay. {RETRY_HINT}",
    )
    longest = max(w for row in adjusted for w in row)
    ctx.expect(
        longest <= BACKOFF_CAP + 0.15,
        f"fetch_with_retry waited {longest + floor:.2f} s between two attempts although max_delay was "
        f"{BACKOFF_CAP} s. Cap the limit: min(max_delay, base_delay * 2 ** (n - 1)).",
    )
    # Jitter: at the same retry, the waits differ from URL to URL (coefficient of variation).
    spread = mean(stdev(column) / mean(column)
                  for column in ([row[k] for row in waits] for k in range(2, n - 1)))
    ctx.expect(
        spread > 0.1,
        "Every URL waited the same time before the same retry (before the last retry: "
        + ", ".join(f"{row[-1]:.2f}" for row in waits)
        + " s). Clients that fail together then retry together, in waves. Add jitter: wait a "
        f"random time between 0 and the limit. {RETRY_HINT}",
    )
    # Full jitter: before the retries whose limit is max_delay, the waits spread from 0 to the
    # limit, so a good share of them is short (under 40% of the limit: about 13 of 32 expected).
    capped = [row[k] for row in adjusted for k in (n - 3, n - 2)]
    short = sum(w < 0.4 * BACKOFF_CAP for w in capped)
    ctx.expect(
        short >= 4,
        f"Before retries {n - 2} and {n - 1} (limit {BACKOFF_CAP} s) only {short} of the "
        f"{len(capped)} waits were shorter than {0.4 * BACKOFF_CAP:.2f} s (shortest "
        f"{min(capped) + floor:.2f} s). Full jitter draws the whole wait between 0 and the limit, not "
        f"half the limit plus a random half. {RETRY_HINT}",
    )
    return by_retry


@dataclass
class DeadlineCase:
    """One call under a deadline, and what the check saw of it."""

    url: str
    what: str  # in words, for the messages
    deadline: float
    attempt_timeout: float
    attempts: int
    base_delay: float = 0.05
    max_delay: float = 0.1
    answers: int | None = None  # the item id when the URL answers in time
    done_at: float | None = None  # seconds after the start
    late: bool = False  # still running DEADLINE_SLACK after its deadline
    cancel_swallowed: bool = False  # ...although asyncio had cancelled it
    call: Call | None = None


DEADLINE_SLACK = 0.25  # how far past its deadline a call may end (a busy 2-core machine included)


async def _retry_deadline(ctx: CheckContext, fetch_with_retry: Any) -> float:
    """Deadlines shorter than the work: a call must end (TimeoutError) by its deadline, even
    in the middle of an attempt or of a wait, and must not give up before it."""
    lab = ctx.lab
    lab.reset()
    hang = {"fail_rate": 1, "fault": "timeout", "hang": 3, "delay": 0.01, "seed": SEED}
    cases = [
        DeadlineCase(lab.url("/flaky/50", **hang), "hangs at every attempt", 1.0, 0.8, 4),
        DeadlineCase(lab.url("/flaky/51", **hang), "hangs, with a deadline shorter than one attempt",
                     0.6, 2.0, 2),
        DeadlineCase(lab.url("/limited/52", rate=0.4, burst=1, key="check-4.1-deadline"),
                     "answers 429 with Retry-After-Ms: 2500", 0.7, 2.0, 3, base_delay=0.01, max_delay=0.05),
        DeadlineCase(lab.url("/items/53", delay=0.5), "answers after 0.5 s", 1.0, 2.0, 2, answers=53),
    ]
    session = aiohttp.ClientSession()  # the check's own, opened outside the learner's run
    async with session.get(lab.url("/limited/59", rate=0.4, burst=1, key="check-4.1-deadline")):
        pass  # takes the limiter's only token: the learner's first request gets a 429

    started: list[float] = []

    @rename("fetch_with_retry")
    async def under_deadlines() -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        started.append(time.monotonic())

        async def one(case: DeadlineCase) -> None:
            case.call = await _call(fetch_with_retry(
                session, case.url, attempts=case.attempts, base_delay=case.base_delay,
                max_delay=case.max_delay, attempt_timeout=case.attempt_timeout, deadline=case.deadline))
            case.done_at = loop.time() - start

        tasks = [asyncio.create_task(one(c)) for c in cases]

        def look(case: DeadlineCase, t: asyncio.Task[Any]) -> None:
            if not t.done():
                case.late = True
                case.cancel_swallowed = t.cancelling() > 0  # asyncio.timeout cancelled it, in vain

        for case, t in zip(cases, tasks, strict=True):
            loop.call_at(start + case.deadline + DEADLINE_SLACK, look, case, t)
        # Correct code is done by its deadline; wrong code gets long enough to show whether it
        # starts new attempts after the deadline (the first attempt at /flaky/50 ends at 0.8 s,
        # the second at 1.65 s) or stops by itself once the attempt in progress has ended.
        await asyncio.wait(tasks, timeout=2.0)
        for t in tasks:
            t.cancel()
        await asyncio.wait(tasks, timeout=1.0)

    try:
        await ctx.run(under_deadlines())
    finally:
        await session.close()
    stats = lab.stats()
    t0 = started[0]  # time.monotonic() is the lab service's clock too
    for case in cases:
        path = _path(case.url)
        seen = _attempts(stats, path)
        after = [r for r in seen if r["start"] - t0 > case.deadline + 0.05]
        when = f"deadline={case.deadline} s, attempt_timeout={case.attempt_timeout} s"
        if case.late and case.cancel_swallowed:
            raise CheckFailed(
                f"{path} {case.what} ({when}). At the deadline asyncio cancelled fetch_with_retry, "
                f"but it carried on: it was still running {DEADLINE_SLACK} s later "
                f"({len(seen)} attempts, {len(after)} started after the deadline). Your code "
                "catches the deadline's CancelledError (`except BaseException:`, a bare "
                "`except:`, or `except asyncio.CancelledError:` without `raise`) as if an attempt "
                "had failed. Catch only the errors worth retrying, and let CancelledError through.",
                hint=SWALLOW_HINT,
            )
        if case.late and after:
            raise CheckFailed(
                f"{path} {case.what} ({when}). fetch_with_retry was still running "
                f"{DEADLINE_SLACK} s after the deadline and had started {len(after)} attempt(s) "
                f"after it ({len(seen)} in all). The deadline covers the whole call, waits "
                "included: wrap the whole retry loop in `async with asyncio.timeout(deadline):`.",
                hint=CLOCK_HINT,
            )
        if case.late:
            running = "the wait before the next attempt" if case.answers is None and path.startswith("/limited") \
                else "the attempt in progress"
            raise CheckFailed(
                f"{path} {case.what} ({when}). fetch_with_retry started no attempt after the "
                f"deadline, but was still running {DEADLINE_SLACK} s after it: {running} ran on. "
                "A deadline checked only between attempts lets an attempt (or a sleep) that began "
                "before it run past it; the deadline must cancel the attempt in progress. "
                "`async with asyncio.timeout(deadline):` around the whole retry loop does.",
                hint=CLOCK_HINT,
            )
        call = case.call
        assert call is not None
        if case.answers is not None:
            ctx.expect(
                _is_item(call.value, case.answers),
                f"{path} {case.what}; with {when}, fetch_with_retry {_outcome(call)} after "
                f"{call.seconds:.2f} s. It must not give up before the deadline: the deadline "
                "is the limit of the whole call, and an attempt may use all of the time that is "
                "left. Expected the item with id "
                f"{case.answers}.",
            )
            continue
        ctx.expect(
            isinstance(call.error, TimeoutError),
            f"{path} {case.what} ({when}). When the deadline passed, fetch_with_retry "
            f"{_outcome(call)}. It should raise TimeoutError (what `asyncio.timeout(deadline)` "
            "raises), so that the caller knows it ran out of time.",
        )
    return max(c.done_at or 0.0 for c in cases if c.answers is None)


@task("4.1")
async def check_fetch_with_retry(ctx: CheckContext) -> str:
    fetch_with_retry = ctx.function()
    summary = await _retry_everything(ctx, fetch_with_retry)
    slowest = await _retry_deadline(ctx, fetch_with_retry)
    return (f"{summary}; every deadline kept (TimeoutError at most {slowest:.2f} s after the start, "
            f"deadlines 0.6-1 s), a slow answer within the deadline still returned.")


# --------------------------------------------------------------------------- 4.2
@dataclass
class Scenario:
    """URLs for fetch_until_deadline, what each does, and the answer expected."""

    urls: list[str]
    deadline: float
    expected: dict[str, int]  # url -> item id, for the answers that arrive in time
    slow: list[str]  # still running at the deadline
    failing: dict[str, str]  # url -> "404", "500" or "drop"


def _deadline_scenario(lab: Any, kinds: list[tuple[str, int]], deadline: float) -> Scenario:
    urls: list[str] = []
    expected: dict[str, int] = {}
    slow: list[str] = []
    failing: dict[str, str] = {}
    for kind, k in kinds:
        if kind == "fast":
            url = lab.url(f"/items/{200 + k}", delay=round(0.1 + 0.08 * k, 2))
            expected[url] = 200 + k
        elif kind == "slow":
            url = lab.url(f"/items/{210 + k}", delay=3)
            slow.append(url)
        elif kind == "drop":
            url = lab.url(f"/flaky/{220 + k}", fail_rate=1, fault="drop", delay=0.1, seed=SEED)
            failing[url] = "a dropped connection"
        else:
            url = lab.url(f"/status/{kind}", delay=round(0.1 + 0.02 * k, 2))
            failing[url] = f"a {kind} answer"
        urls.append(url)
    return Scenario(urls, deadline, expected, list(dict.fromkeys(slow)), failing)


FIXED_DEADLINE = [("fast", 0), ("fast", 1), ("slow", 0), ("500", 0), ("drop", 0), ("fast", 3),
                  ("404", 1), ("slow", 1)]


async def _until_deadline(ctx: CheckContext, fn: Any, sc: Scenario, *, first: bool = False) -> Call:
    lab = ctx.lab
    lab.reset()
    call = await _run_call(ctx, "fetch_until_deadline", fn(list(sc.urls), sc.deadline))
    stats = lab.stats()
    shown = f"{len(sc.urls)} URLs ({len(sc.expected)} quick, {len(sc.slow)} slow, {len(sc.failing)} failing), deadline {sc.deadline} s"
    if isinstance(call.error, BaseExceptionGroup | aiohttp.ClientError):
        raise CheckFailed(
            f"With {shown}, fetch_until_deadline raised {_brief(call.error)}. Failing URLs ("
            + ", ".join(sorted(set(sc.failing.values())))
            + ") should simply be left out of the results, not stop the others. Catch "
            "aiohttp.ClientError (the parent of ClientResponseError and ClientConnectionError) "
            "inside the coroutine that fetches one URL.",
        )
    ctx.expect(
        call.error is None,
        f"With {shown}, fetch_until_deadline raised {describe_error(call.error) if call.error else ''} "
        "When the deadline passes, return what has arrived; do not raise (catch the TimeoutError).",
    )
    if first:
        ctx.expect(
            ctx.last.sessions <= 1,
            f"fetch_until_deadline opened {ctx.last.sessions} aiohttp.ClientSessions for "
            f"{len(sc.urls)} URLs. Open one session for the whole call and share it between the "
            "requests: a session per request throws away the connections it could reuse.",
        )
    result = call.value
    ctx.expect(
        isinstance(result, dict),
        f"fetch_until_deadline returned {type(result).__name__} ({result!r:.120}); expected a dict "
        "{url: JSON body}.",
    )
    ctx.expect(
        call.seconds <= sc.deadline + 0.4,
        f"With {shown}, fetch_until_deadline returned after {call.seconds:.1f} s. It waited for "
        "the slow requests: stop waiting at the deadline (`async with asyncio.timeout(deadline):`) "
        "and cancel what is still running.",
    )
    if first:
        ctx.expect(
            stats.peak_in_flight > len(sc.urls) // 2,
            f"The requests ran one at a time or in small groups (peak {stats.peak_in_flight} of "
            f"{len(sc.urls)} in flight): start them all at once, then wait for them under one deadline.",
        )
    got = [u for u in sc.expected if u in result]
    ctx.expect(
        len(got) == len(sc.expected),
        f"With {shown}, fetch_until_deadline returned {len(got)} of the {len(sc.expected)} answers "
        "that arrived within the deadline. Keep each result as it arrives (store it in the dict "
        "from inside the task that fetched it): cancelling a gather at the deadline throws away "
        "the results it had already collected.",
    )
    for url, i in sc.expected.items():
        ctx.expect(
            _is_item(result[url], i),
            f"For {_path(url)} the result was {result[url]!r:.200}; expected its JSON body (id {i}).",
        )
    kept = [u for u in sc.failing if u in result]
    ctx.expect(
        not kept,
        "The result holds entries for URLs that failed: "
        + ", ".join(f"{_path(u)} ({sc.failing[u]}): {result[u]!r:.80}" for u in kept)
        + ". Leave failed requests out of the dict.",
    )
    extra = sorted(set(result) - set(sc.expected) - set(kept))
    ctx.expect(
        not extra,
        f"With {shown}, the result also has entries for {len(extra)} URL(s) that were not given "
        f"or did not answer in time: {[str(u)[:80] for u in extra[:3]]}. Return only this call's "
        "answers: a dict kept between calls (a global, a default argument) collects old ones.",
    )
    slow_paths = {_path(u) for u in sc.slow}
    slow_records = [r for r in stats.requests if r["path"] in slow_paths]
    outcomes = [r["outcome"] for r in slow_records]
    # ctx.run has already shown that the tasks still running at the end were cancelled by the
    # learner's code; the service confirms that the cancellation reached the requests.
    ctx.expect(
        {r["path"] for r in slow_records} == slow_paths and all(o == "cancelled" for o in outcomes),
        f"The lab service did not see the {len(sc.slow)} slow request(s) cancelled (outcomes: "
        f"{outcomes}). Cancel what is still running at the deadline: asyncio.timeout around a "
        "TaskGroup does it for you.",
    )
    return call


@task("4.2")
async def check_fetch_until_deadline(ctx: CheckContext) -> str:
    fetch_until_deadline = ctx.function()
    lab = ctx.lab
    drawn = examples(
        st.lists(st.tuples(st.sampled_from(["fast", "fast", "slow", "500", "404", "drop"]),
                           st.integers(0, 2)), min_size=1, max_size=6),
        20,
    )
    kinds_of = [{kind for kind, _ in d} for d in drawn]
    # one mix where answers arrive beside slow and failing URLs, one where nothing arrives in time
    randomised = [next(d for d, k in zip(drawn, kinds_of, strict=True) if {"fast", "slow"} <= k and len(k) > 2),
                  next(d for d, k in zip(drawn, kinds_of, strict=True) if "fast" not in k and len(d) > 1)]
    fixed = _deadline_scenario(lab, FIXED_DEADLINE, 0.8)
    call = await _until_deadline(ctx, fetch_until_deadline, fixed, first=True)
    # Everything quick: return as soon as everything is in, not at the deadline.
    quick = _deadline_scenario(lab, [("fast", k) for k in range(3)] + [("fast", 0)], 3.0)
    call2 = await _until_deadline(ctx, fetch_until_deadline, quick)
    ctx.expect(
        call2.seconds < 1.0,
        f"With 3 URLs that all answer within 0.3 s, fetch_until_deadline took {call2.seconds:.1f} s: "
        "it waited out the whole deadline (3 s). The deadline is a limit, not a pause: return "
        "as soon as every request has finished.",
    )
    for kinds in randomised:
        await _until_deadline(ctx, fetch_until_deadline, _deadline_scenario(lab, kinds, 0.6))
    empty = await _run_call(ctx, "fetch_until_deadline", fetch_until_deadline([], 1.0))
    ctx.expect(
        empty.error is None and empty.value == {} and empty.seconds < 0.5,
        f"With no URLs at all, fetch_until_deadline {_outcome(empty)} after {empty.seconds:.2f} s; "
        "expected {} at once. (asyncio.wait() refuses an empty set of tasks; a TaskGroup "
        "with no tasks is fine.)",
    )
    return (f"{len(fixed.expected)} answers kept, the failures (500, 404, a dropped connection) left "
            f"out, {len(fixed.slow)} slow requests cancelled by your code at {call.seconds:.2f} s "
            f"(deadline {fixed.deadline} s); all-quick input returned in {call2.seconds:.2f} s; "
            f"{len(randomised)} more mixes and an empty list right.")


# --------------------------------------------------------------------------- 4.3
class CheckPool:
    """The notebook's SlotPool interface, recording every acquire and release, and which task
    (which call of fetch_with_slot) made it."""

    OUTCOMES = ("ok", "failed", "cancelled")

    def __init__(self, size: int) -> None:
        self._free: asyncio.Queue[int] = asyncio.Queue()
        for slot in range(size):
            self._free.put_nowait(slot)
        self.in_use: set[int] = set()
        self.log: list[tuple[str, Any, Any, Any]] = []  # (event, slot, outcome, task)
        self.problems: list[str] = []
        self.release_calls = 0

    async def acquire(self) -> int:
        slot = await self._free.get()
        self.in_use.add(slot)
        self.log.append(("acquire", slot, None, asyncio.current_task()))
        return slot

    def release(self, slot: int, outcome: str) -> Any:
        self.release_calls += 1  # calling it only creates the coroutine: counted apart
        return self._release(slot, outcome)

    async def _release(self, slot: int, outcome: str) -> None:
        if slot not in self.in_use:
            self.problems.append(f"release({slot!r}, {outcome!r}) for a slot that was not taken")
            raise ValueError(f"slot {slot!r} is not in use: release only a slot you acquired")
        if outcome not in self.OUTCOMES:
            self.problems.append(f"release({slot!r}, {outcome!r}): outcome must be one of {self.OUTCOMES}")
        self.in_use.discard(slot)  # taken back at once, so that a second release shows
        await asyncio.sleep(0.02)  # giving a connection back takes a moment
        self._free.put_nowait(slot)
        self.log.append(("release", slot, outcome, asyncio.current_task()))

    def releases(self, by: Any = None) -> list[Any]:
        return [o for event, _, o, t in self.log if event == "release" and (by is None or t is by)]

    def acquires(self, by: Any = None) -> int:
        return sum(1 for event, _, _, t in self.log if event == "acquire" and (by is None or t is by))


SLOT_KINDS = {"ok": "answers", "503": "answers 503", "404": "answers 404", "drop": "drops the connection"}


def _slot_url(lab: Any, kind: str, k: int) -> str:
    if kind == "ok":
        return lab.url(f"/items/{300 + k}", delay=0.1)
    if kind == "drop":
        return lab.url(f"/flaky/{320 + k}", fail_rate=1, fault="drop", delay=0.05, seed=SEED)
    return lab.url(f"/status/{kind}", delay=0.05, n=k)  # n: one path per call, distinct URLs


async def _slot_batch(ctx: CheckContext, fetch_with_slot: Any, kinds: list[str], size: int) -> int:
    """Several calls at once sharing one fresh pool of `size` slots and one fresh session."""
    lab = ctx.lab
    lab.reset()
    pool = CheckPool(size)
    urls = [_slot_url(lab, kind, k) for k, kind in enumerate(kinds)]
    session = aiohttp.ClientSession()  # the check's own, one per scenario
    tasks: list[asyncio.Task[Call]] = []
    waiting: list[asyncio.Task[Call]] = []

    @rename("fetch_with_slot")
    async def calls() -> list[Call | None]:
        tasks.extend(asyncio.create_task(_call(fetch_with_slot(session, pool, u))) for u in urls)
        _, pending = await asyncio.wait(tasks, timeout=3.0)
        waiting.extend(pending)
        for t in tasks:
            t.cancel()
        await asyncio.wait(tasks, timeout=1.0)
        for t in tasks:
            if t.done() and not t.cancelled() and isinstance(t.exception(), NotImplementedError):
                raise NotImplementedError  # the stub: not attempted
        return [t.result() if t.done() and not t.cancelled() and t.exception() is None else None
                for t in tasks]

    try:
        results = await ctx.run(calls())
    finally:
        await session.close()
    stuck = len(waiting)
    if stuck:
        released = len(pool.releases())
        unawaited = pool.release_calls - released - len(pool.problems)
        raise CheckFailed(
            f"{len(urls)} calls shared a pool of {size} slot(s); after 3 s {stuck} of them were "
            f"still waiting (the pool saw {pool.acquires()} acquire(s) and {released} release(s)). "
            + ("`pool.release(slot, outcome)` was called without `await`: that only creates a "
               "coroutine, and the slot is never given back. Did you forget to `await "
               "pool.release(slot, outcome)`?" if unawaited > 0 else
               "The slots taken by the first calls were never given back: release the slot "
               "in a `finally:`, so that it happens on every path."),
        )
    ctx.expect(
        ctx.last.sessions == 0,
        f"fetch_with_slot opened {ctx.last.sessions} aiohttp.ClientSession(s) for {len(urls)} "
        "calls. Use the `session` it is given (`fetch_json(session, url)`): one session per "
        "application, not one per request (lesson 05 measures the difference).",
    )
    ctx.expect(
        not pool.problems,
        "The pool reports: " + "; ".join(pool.problems) + f" ({len(urls)} calls at once). Each call "
        "must give back exactly the slot it took, once: keep it in a local variable (not a "
        "global shared by the calls), and release it in one place, a `finally:`.",
    )
    stats = lab.stats()
    for kind, url, call, t in zip(kinds, urls, results, tasks, strict=True):
        what = f"{_path(url)} ({SLOT_KINDS[kind]})"
        if call is None:
            raise CheckFailed(
                f"For {what} fetch_with_slot ended with CancelledError although nobody cancelled "
                "it. Raise CancelledError only to pass on a cancellation you received.",
            )
        if kind == "ok":
            ctx.expect(
                call.error is None and _is_item(call.value, int(_path(url).rsplit("/", 1)[1])),
                f"For {what} fetch_with_slot {_outcome(call)}; expected its JSON.",
            )
        elif kind == "drop":
            ctx.expect(
                isinstance(call.error, aiohttp.ClientConnectionError),
                f"For {what} fetch_with_slot {_outcome(call)}; it should let the "
                "aiohttp.ClientConnectionError from fetch_json propagate.",
            )
        else:
            ctx.expect(
                isinstance(call.error, aiohttp.ClientResponseError) and call.error.status == int(kind),
                f"For {what} fetch_with_slot {_outcome(call)}; it should let the "
                "aiohttp.ClientResponseError from fetch_json propagate.",
            )
        ctx.expect(
            pool.acquires(t) == 1,
            f"For {what} fetch_with_slot took {pool.acquires(t)} slot(s) from the pool; expected "
            "one: `slot = await pool.acquire()` before the request.",
        )
        wanted = "ok" if kind == "ok" else "failed"
        got = pool.releases(t)
        ctx.expect(
            got == [wanted],
            f"For {what} fetch_with_slot gave the slot back as {got or 'never'}; expected "
            f"[{wanted!r}], once. "
            + ("Did you forget to `await pool.release(slot, outcome)`?" if not got else
               "Set the outcome from how the request ended: 'ok' only after fetch_json returned, "
               "'failed' for any exception it raised (an HTTP error or a dropped connection).")
            + " Release it in a `finally:` so that it happens on every path.",
        )
    ctx.expect(
        not pool.in_use,
        f"After {len(urls)} calls, slot(s) {sorted(pool.in_use)} were still taken.",
    )
    peak = stats.peak_in_flight
    ctx.expect(
        peak <= size,
        f"{len(urls)} calls shared a pool of {size} slots, yet the lab service saw {peak} requests "
        "in flight at once: a request was made without holding a slot. Take the slot before the "
        "request and give it back only after the request has ended.",
    )
    return peak


async def _wait_in_flight(ctx: CheckContext, path: str, limit: float = 3.0) -> bool:
    """Wait until the lab service is handling a request for path."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        stats = await asyncio.to_thread(ctx.lab.stats, wait_idle=False)
        if any(r["path"] == path and r["end"] is None for r in stats.requests):
            return True
        await asyncio.sleep(0.05)
    return False


def _cancel_verdict(ctx: CheckContext, learner: asyncio.Task[Any], finished: bool, when: str) -> None:
    ctx.expect(
        finished,
        f"fetch_with_slot was cancelled {when} and was still running 2 s later. Do not catch "
        "CancelledError to carry on: clean up and let it propagate.",
    )
    if learner.cancelled():
        return
    error = learner.exception()
    if error is None:
        raise CheckFailed(
            f"fetch_with_slot swallowed CancelledError: cancelled {when}, it returned "
            f"{learner.result()!r:.100} instead of ending cancelled. Whoever cancelled it (a "
            "timeout, a TaskGroup, a shutdown) relies on the cancellation going through: after "
            "your cleanup, `raise` the CancelledError again.",
            hint="In `except asyncio.CancelledError:` set the outcome, then a bare `raise`.",
        )
    if isinstance(error, UnboundLocalError | NameError):
        ctx.expect(
            False,
            f"Cancelled {when}, fetch_with_slot raised {type(error).__name__}: {error}. Its cleanup "
            "tried to give back a slot it never got. Call `slot = await pool.acquire()` before the "
            "`try:` whose `finally:` releases it: there is nothing to release until acquire returns.",
        )
    ctx.expect(
        False,
        f"Cancelled {when}, fetch_with_slot raised {_brief(error)} instead of letting "
        "CancelledError propagate.",
    )


async def _slot_cancelled_mid_request(ctx: CheckContext, fetch_with_slot: Any) -> None:
    lab = ctx.lab
    lab.reset()
    pool = CheckPool(2)
    url = lab.url("/items/308", delay=5)
    session = aiohttp.ClientSession()

    @rename("fetch_with_slot")
    async def cancelled_mid_request() -> tuple[asyncio.Task[Any], bool]:
        learner = asyncio.create_task(fetch_with_slot(session, pool, url))
        await _wait_in_flight(ctx, "/items/308")
        learner.cancel()
        done, _ = await asyncio.wait({learner}, timeout=2)
        if done and not learner.cancelled():
            learner.exception()  # looked at by the verdict, never logged as "never retrieved"
        return learner, bool(done)

    try:
        learner, finished = await ctx.run(cancelled_mid_request(), allow_awaitable=True)
    finally:
        await session.close()
    ctx.expect(not pool.problems, "The pool reports: " + "; ".join(pool.problems))
    ctx.expect(
        pool.releases() == ["cancelled"] and not pool.in_use,
        "Cancelled in the middle of its request, fetch_with_slot left the pool with "
        f"{pool.releases() or 'no release'}: the slot was not given back once with outcome "
        "'cancelled'. CancelledError is not an Exception (it is a BaseException), so `except "
        "Exception:` does not see it; a `finally:` (or `except asyncio.CancelledError:` ... "
        "`raise`) does.",
    )
    _cancel_verdict(ctx, learner, finished, "in the middle of its request")
    # The check's session stayed open, so only the learner's cancellation can have stopped it.
    request = [r for r in lab.stats().requests if r["path"] == "/items/308"]
    ctx.expect(
        request and request[0]["outcome"] == "cancelled",
        "The lab service did not see the request cancelled "
        f"({[r['outcome'] for r in request]}): the cancellation should reach the request itself "
        "(do not shield it).",
    )


async def _slot_cancelled_waiting(ctx: CheckContext, fetch_with_slot: Any) -> None:
    lab = ctx.lab
    lab.reset()
    pool = CheckPool(1)
    held = await pool.acquire()  # the only slot is busy
    url = lab.url("/items/309", delay=0.05)
    session = aiohttp.ClientSession()

    @rename("fetch_with_slot")
    async def cancelled_waiting_for_slot() -> tuple[asyncio.Task[Any], bool]:
        learner = asyncio.create_task(fetch_with_slot(session, pool, url))
        await asyncio.sleep(0.2)
        learner.cancel()
        done, _ = await asyncio.wait({learner}, timeout=2)
        if done and not learner.cancelled():
            learner.exception()  # looked at by the verdict, never logged as "never retrieved"
        return learner, bool(done)

    try:
        learner, finished = await ctx.run(cancelled_waiting_for_slot(), allow_awaitable=True)
    finally:
        await session.close()
    ctx.expect(
        not pool.problems and pool.releases() == [],
        "Cancelled while waiting for a free slot, fetch_with_slot tried to give one back: "
        + ("; ".join(pool.problems) or f"released {pool.releases()}")
        + ". It never got a slot, so there is nothing to release: call `slot = await "
        "pool.acquire()` before the `try:` whose `finally:` releases it.",
    )
    _cancel_verdict(ctx, learner, finished, "while waiting for a free slot")
    ctx.expect(
        lab.stats().count == 0,
        "Cancelled while waiting for a slot, fetch_with_slot still made its request.",
    )
    await pool.release(held, "ok")


@task("4.3")
async def check_fetch_with_slot(ctx: CheckContext) -> str:
    fetch_with_slot = ctx.function()
    peak = await _slot_batch(ctx, fetch_with_slot, ["ok", "503", "ok", "drop", "404", "ok"], 2)
    for kinds in examples(st.lists(st.sampled_from(list(SLOT_KINDS)), min_size=1, max_size=5), 3)[1:]:
        await _slot_batch(ctx, fetch_with_slot, kinds, 1 + len(kinds) % 2)
    await _slot_cancelled_mid_request(ctx, fetch_with_slot)
    await _slot_cancelled_waiting(ctx, fetch_with_slot)
    return (f"6 calls sharing 2 slots (at most {peak} requests in flight): slots released as 'ok' "
            "and 'failed' (503, 404, a dropped connection), errors propagated; cancelled mid-"
            "request: released as 'cancelled', request cancelled, CancelledError propagated; "
            "cancelled while waiting for a slot: nothing released.")


# --------------------------------------------------------------------------- 4.4
class _Fetcher:
    """The `fetch` the check hands to fetch_batch: real requests to the lab service, with
    failures planned per URL. Planned failures wait for each other and then raise in the same
    turn of the event loop, so a TaskGroup collects all of them, deterministically."""

    def __init__(self, session: aiohttp.ClientSession, plan: dict[str, str]) -> None:
        self.session = session
        self.plan = plan  # url -> "ok" | "http" | "timeout" | "bug"
        self.expected = sum(kind != "ok" for kind in plan.values())
        self.arrived = 0
        self.gate = asyncio.Event()
        self.raised: list[BaseException] = []
        self.active = 0  # calls in progress
        self.calls = 0
        asyncio.get_running_loop().call_later(2.0, self.gate.set)  # never wait forever

    async def _get(self, url: str) -> dict[str, Any]:
        async with self.session.get(url) as resp:
            resp.raise_for_status()
            return await resp.json()

    async def __call__(self, url: str) -> dict[str, Any]:
        self.active += 1
        self.calls += 1
        try:
            return await self._fetch(url)
        finally:
            self.active -= 1

    async def _fetch(self, url: str) -> dict[str, Any]:
        kind = self.plan.get(url, "ok")
        try:
            if kind == "timeout":
                async with asyncio.timeout(0.15):
                    return await self._get(url)
            result = await self._get(url)
            if kind == "bug":
                raise ValueError(f"unexpected answer from {_path(url)}: no 'price' field")
            return result
        except (aiohttp.ClientResponseError, TimeoutError, ValueError) as exc:
            self.arrived += 1
            if self.arrived >= self.expected:
                self.gate.set()
            await self.gate.wait()
            self.raised.append(exc)
            raise


def _is_batch_failed(exc: BaseException | None) -> bool:
    return type(exc).__name__ == "BatchFailed" and isinstance(getattr(exc, "errors", None), list | tuple)


RESULT_INSIDE_HINT = (
    "Inside `async with asyncio.TaskGroup() as tg:` the tasks are still running; the block "
    "waits for all of them when it ends. Read `[t.result() for t in tasks]` after the block."
)


async def _batch_ok(ctx: CheckContext, fetch_batch: Any, delays: list[float], ids: list[int]) -> Call:
    lab = ctx.lab
    lab.reset()
    urls = [lab.url(f"/items/{i}", delay=d) for i, d in zip(ids, delays, strict=True)]
    fetchers: list[_Fetcher] = []

    @rename("fetch_batch")
    async def all_good() -> Call:
        async with aiohttp.ClientSession() as session:
            fetchers.append(_Fetcher(session, {}))
            return await _call(fetch_batch(fetchers[0], list(urls)))

    call = await ctx.run(all_good())
    stats = lab.stats()
    invalid = [e for e in leaves(call.error) if isinstance(e, asyncio.InvalidStateError)] if call.error else []
    if invalid:
        raise CheckFailed(
            f"Although every request succeeded, fetch_batch raised {type(call.error).__name__} with "
            f"{describe_error(invalid[0])}",
            hint=RESULT_INSIDE_HINT,
        )
    ctx.expect(
        call.error is None,
        f"fetch_batch raised {describe_error(call.error) if call.error else ''} although every "
        f"request of {len(urls)} succeeded.",
    )
    got = [r.get("id") if isinstance(r, dict) else r for r in call.value] if isinstance(call.value, list | tuple) else call.value
    ctx.expect(
        isinstance(call.value, list) and got == ids and all(_is_item(r, i) for r, i in zip(call.value, ids, strict=True)),
        f"For {len(urls)} URLs (ids {ids}, answering after {delays} s) fetch_batch returned "
        f"{'items with ids ' + str(got) if isinstance(call.value, list | tuple) else repr(call.value)[:120]}; "
        f"expected a list of their JSON bodies in the order of the URLs (ids {ids}). Keep the tasks "
        "in a list and read task.result() in that order.",
    )
    ctx.expect(
        fetchers[0].calls == len(urls),
        f"fetch_batch called fetch {fetchers[0].calls} time(s) for {len(urls)} URLs; call it once per URL.",
    )
    distinct = len(set(urls))
    ctx.expect(
        distinct < 3 or stats.peak_in_flight > distinct // 2,
        f"fetch_batch fetched the URLs one after the other (peak {stats.peak_in_flight} of "
        f"{distinct} in flight): create every task in the TaskGroup before awaiting anything.",
    )
    return call


async def _batch_fails(ctx: CheckContext, fetch_batch: Any, slow_ids: list[int],
                       failing: list[tuple[str, str]]) -> Call:
    """Failures planned to happen at the same moment, beside slow requests: one BatchFailed
    with exactly those failures, quickly, the slow requests cancelled."""
    lab = ctx.lab
    lab.reset()
    slow = [lab.url(f"/items/{i}", delay=3) for i in slow_ids]
    plan = {url: kind for url, kind in failing}
    urls: list[str] = []
    for i in range(max(len(slow), len(failing))):  # interleaved: slow, failing, slow, ...
        urls += slow[i:i + 1] + [u for u, _ in failing[i:i + 1]]
    fetchers: list[_Fetcher] = []

    @rename("fetch_batch")
    async def with_failures() -> tuple[Call, int]:
        async with aiohttp.ClientSession() as session:
            fetchers.append(_Fetcher(session, plan))
            call = await _call(fetch_batch(fetchers[0], list(urls)))
            return call, fetchers[0].active  # requests still running when fetch_batch ended

    call, still_running = await ctx.run(with_failures())
    stats = lab.stats()
    raised = fetchers[0].raised
    described = ", ".join(_brief(e) for e in raised)
    bugs = [e for e in raised if isinstance(e, ValueError)]
    failures = [e for e in raised if not isinstance(e, ValueError)]
    ctx.expect(
        call.error is not None,
        f"fetch_batch returned {call.value!r:.120} although requests failed ({described}). "
        "Raise BatchFailed with every failure.",
    )
    ctx.expect(
        call.seconds < 1.5,
        f"fetch_batch took {call.seconds:.1f} s: when requests fail, the TaskGroup cancels the "
        f"slow ones ({len(slow)} taking 3 s); do not wait for them.",
    )
    ctx.expect(
        still_running == 0,
        f"fetch_batch ended while {still_running} of its requests were still running. When one "
        "request fails, the others must be cancelled and waited for before fetch_batch raises: "
        "`async with asyncio.TaskGroup()` does exactly that (asyncio.gather does not).",
    )
    found = leaves(call.error)
    if bugs:
        wrapped = [e for e in found if _is_batch_failed(e) and any(b in e.errors for b in bugs)]
        ctx.expect(
            any(e is bugs[0] for e in found) and not wrapped,
            f"Processing one answer raised ValueError (a bug, not a failed request) while "
            f"{len(failures)} request(s) failed, and fetch_batch raised {_brief(call.error)}. The "
            "bug must stay visible: let it propagate (inside the TaskGroup's ExceptionGroup), "
            "even when requests failed at the same time. `except*` does that by itself: the "
            "ValueError matches no clause, so it goes on.",
        )
        return call
    if isinstance(call.error, BaseExceptionGroup):
        if any(_is_batch_failed(e) for e in found):
            ctx.expect(
                False,
                f"fetch_batch raised {_brief(call.error)}: an ExceptionGroup of BatchFailed. Raising in "
                "each except* clause makes Python group those exceptions. Collect the failures "
                "from every except* clause into one list, and raise BatchFailed(failures) once, "
                "after the try statement.",
            )
        escaped = sorted({type(e).__name__ for e in found})
        ctx.expect(
            False,
            f"fetch_batch let the TaskGroup's {type(call.error).__name__} escape, with "
            f"{', '.join(escaped)} inside ({_brief(call.error)}): no except* clause handled "
            f"{'it' if len(escaped) == 1 else 'them'}. Catch the HTTP errors and the timeouts "
            "with `except* aiohttp.ClientResponseError` and `except* TimeoutError`, and raise "
            "BatchFailed(failures) instead.",
        )
    ctx.expect(
        _is_batch_failed(call.error),
        f"fetch_batch raised {_brief(call.error)}; expected BatchFailed (defined in the "
        "setup cell) with the list of failures.",
    )
    errors = list(call.error.errors)
    groups = [e for e in errors if isinstance(e, BaseExceptionGroup)]
    ctx.expect(
        not groups,
        f"BatchFailed.errors holds exception groups ({', '.join(map(_brief, groups))}); list the "
        "individual exceptions: `failures.extend(group.exceptions)` in each except* clause.",
    )
    missing = [e for e in raised if not any(e is x for x in errors)]
    ctx.expect(
        not missing,
        f"BatchFailed lists {len(raised) - len(missing)} of the {len(raised)} failures; missing: "
        + ", ".join(_brief(e) for e in missing)
        + ". A TaskGroup can collect several exceptions at once: report every one in "
        "group.exceptions, from every except* clause.",
    )
    strangers = [e for e in errors if not any(e is x for x in raised)]
    ctx.expect(
        not strangers,
        f"BatchFailed also lists {', '.join(map(_brief, strangers))}, which are not failures of "
        "this call's requests. List only the exceptions the TaskGroup collected in this call: a "
        "list kept between calls (a global, a default argument) collects old ones.",
    )
    outcomes = [r["outcome"] for r in stats.requests if r["path"] in {_path(u) for u in slow}]
    ctx.expect(
        len(outcomes) == len(slow) and all(o == "cancelled" for o in outcomes),
        f"The lab service did not see the {len(slow)} slow requests cancelled ({outcomes}). A "
        "TaskGroup cancels the other tasks when one fails: use `async with asyncio.TaskGroup() as tg:`.",
    )
    return call


async def _batch_bug(ctx: CheckContext, fetch_batch: Any) -> None:
    """A bug (ValueError) alone is not a failed request: not wrapped in BatchFailed."""
    lab = ctx.lab
    lab.reset()
    buggy = lab.url("/items/421", delay=0.05)
    urls = [lab.url("/items/422", delay=3), buggy, lab.url("/items/423", delay=3)]

    @rename("fetch_batch")
    async def a_bug() -> Call:
        async with aiohttp.ClientSession() as session:
            return await _call(fetch_batch(_Fetcher(session, {buggy: "bug"}), urls))

    call = await ctx.run(a_bug())
    found = leaves(call.error) if call.error is not None else []
    ctx.expect(
        not _is_batch_failed(call.error) and not any(_is_batch_failed(e) for e in found),
        "fetch_batch reported a ValueError (a bug in the code that handles the answer, not a "
        f"failed request) as {_brief(call.error)}. Handle only aiohttp.ClientResponseError and "
        "TimeoutError; except* passes every other exception on, so bugs stay visible.",
    )
    ctx.expect(
        any(isinstance(e, ValueError) for e in found),
        f"When processing one answer raised ValueError, fetch_batch {_outcome(call)}. Let it "
        "propagate (inside the TaskGroup's ExceptionGroup): do not catch what you cannot handle.",
    )


@task("4.4")
async def check_fetch_batch(ctx: CheckContext) -> str:
    fetch_batch = ctx.function()
    # (a) everything works: results in order, all at once, for several inputs
    await _batch_ok(ctx, fetch_batch, [0.3, 0.25, 0.2, 0.15, 0.1, 0.05], list(range(6)))
    drawn = examples(st.lists(st.tuples(st.integers(10, 14), st.sampled_from([0.05, 0.15, 0.25])),
                              min_size=1, max_size=5), 20)
    # inputs whose answers arrive in another order than the URLs'; the first of size one
    shuffled = [d for d in drawn if [t for _, t in d] != sorted(t for _, t in d)]
    for pairs in [next(d for d in drawn if len(d) == 1), *shuffled[:2]]:
        await _batch_ok(ctx, fetch_batch, [d for _, d in pairs], [i for i, _ in pairs])
    empty = await _run_call(ctx, "fetch_batch", fetch_batch(_unused_fetch, []))
    ctx.expect(
        empty.error is None and empty.value == [],
        f"With no URLs, fetch_batch {_outcome(empty)}; expected an empty list.",
    )
    # (b) three failures at the same moment (two HTTP errors, one timeout), three slow requests
    lab = ctx.lab
    three = [(lab.url("/status/500", delay=0.05), "http"), (lab.url("/status/404", delay=0.05), "http"),
             (lab.url("/items/419", delay=3), "timeout")]
    await _batch_fails(ctx, fetch_batch, [411, 412, 413], three)
    # (c) called again, one failure: a fresh BatchFailed with just that one
    await _batch_fails(ctx, fetch_batch, [414, 415], [(lab.url("/status/503", delay=0.05), "http")])
    # (d) a bug alone, then a bug at the same moment as a failed request
    await _batch_bug(ctx, fetch_batch)
    await _batch_fails(ctx, fetch_batch, [416], [(lab.url("/status/502", delay=0.05), "http"),
                                                 (lab.url("/items/417", delay=0.05), "bug")])
    return ("results in order for several inputs, fetched at once; 3 simultaneous failures "
            "reported in one BatchFailed, slow requests cancelled; a second call reported only "
            "its own failure; a bug passed through, alone or beside a failed request.")


async def _unused_fetch(url: str) -> dict[str, Any]:
    raise AssertionError("fetch called with no URLs")  # pragma: no cover
