"""Checks for module 04: timeouts, cancellation and error handling.

Each check runs the learner's function against the lab service and judges what came back
and what the service recorded: how many attempts it saw per URL and when (the gaps between
attempts), which requests were cancelled, and when the last one ended. The loop watch of
``CheckContext.run`` adds stalls and tasks left running. Messages say what happened, what
was expected and what to try next.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from statistics import mean, stdev
from typing import Any

import aiohttp

from asynclab.checking import CheckContext, task

SEED = 1  # the seed of the fault plans below (passed in the query, so the lab's seed does not matter)


def _value(i: int) -> int:
    return (i * 7919) % 1000  # what the lab service's /items/{i} answers


def _named(name: str) -> Callable[[Callable[..., Coroutine[Any, Any, Any]]], Any]:
    """Give a check's wrapper coroutine the learner's function name, for ctx.run's messages."""

    def rename(fn: Callable[..., Coroutine[Any, Any, Any]]) -> Any:
        fn.__qualname__ = fn.__name__ = name
        return fn

    return rename


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

    @_named(name)
    async def runner() -> Call:
        return await _call(aw)

    return await ctx.run(runner())


def _attempts(stats: Any, path: str) -> list[dict[str, Any]]:
    return sorted((r for r in stats.requests if r["path"] == path), key=lambda r: r["start"])


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3].split("?")[0]


def _leaves(exc: BaseException) -> list[BaseException]:
    """The exceptions inside (possibly nested) exception groups."""
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


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


# --------------------------------------------------------------------------- 4.1
RETRY_HINT = (
    "Before retry number n sleep `random.uniform(0, min(max_delay, base_delay * 2 ** (n - 1)))`."
)


async def _retry_backoff(ctx: CheckContext, fetch_with_retry: Any) -> str:
    """URLs that always answer 500/503: attempts per URL, and the waits between them."""
    lab = ctx.lab
    ids = range(10, 26)
    urls = [lab.url(f"/flaky/{i}", fail_rate=1, fault="500", delay=0.02, seed=SEED) for i in ids]
    attempts, base, cap = 6, 0.1, 0.6

    @_named("fetch_with_retry")
    async def failing_urls() -> list[Call]:
        async with aiohttp.ClientSession() as session:
            return list(await asyncio.gather(*(
                _call(fetch_with_retry(session, url, attempts=attempts, base_delay=base,
                                       max_delay=cap, attempt_timeout=2.0, deadline=15.0))
                for url in urls)))

    calls = await ctx.run(failing_urls())
    stats = lab.stats()
    for url, call in zip(urls, calls, strict=True):
        path = _path(url)
        seen = _attempts(stats, path)
        ctx.expect(
            len(seen) <= attempts,
            f"The lab service saw {len(seen)} requests for {path} (it always answers 500/503); "
            f"with attempts={attempts} fetch_with_retry may try at most {attempts} times in total.",
        )
        ctx.expect(
            len(seen) == attempts,
            f"fetch_with_retry gave up on {path} after {len(seen)} attempt(s) although a 5xx "
            f"answer is worth retrying: with attempts={attempts} it should try {attempts} times. "
            "Retry on a status of 500 or more, and on 429.",
        )
        if call.error is None:
            ctx.expect(
                False,
                f"After {attempts} failed attempts at {path}, fetch_with_retry returned "
                f"{call.value!r}. When every attempt fails, raise the last error (here the "
                "aiohttp.ClientResponseError of the last 5xx answer): a caller must not mistake "
                "a failure for a result.",
            )
        ctx.expect(
            isinstance(call.error, aiohttp.ClientResponseError) and call.error.status >= 500,
            f"After {attempts} failed attempts at {path}, fetch_with_retry raised "
            f"{_brief(call.error)}. Raise the last error itself: the "
            "aiohttp.ClientResponseError of the last 5xx answer.",
        )
    # waits[k] per URL: from the end of attempt k to the start of attempt k+1 (service's clock)
    waits = [[b["start"] - a["end"] for a, b in zip(seen, seen[1:], strict=False)]
             for seen in (_attempts(stats, _path(u)) for u in urls)]
    every = [w for row in waits for w in row]
    ctx.expect(
        mean(every) >= 0.03,
        f"fetch_with_retry retried without waiting: {mean(every) * 1000:.0f} ms on average "
        f"between a failed attempt and the next ({stats.count} requests in "
        f"{max(r['end'] for r in stats.requests) - min(r['start'] for r in stats.requests):.2f} s). "
        f"Hammering a failing server only makes it worse. {RETRY_HINT}",
    )
    early = sum(row[0] + row[1] for row in waits)
    late = sum(row[-2] + row[-1] for row in waits)
    ctx.expect(
        late > 1.8 * early,
        "The waits between attempts did not grow: on average "
        + ", ".join(f"{mean(row[k] for row in waits) * 1000:.0f}" for k in range(attempts - 1))
        + f" ms before retries 1 to {attempts - 1}. Double the upper limit of the wait at each "
        f"retry (exponential backoff), up to max_delay. {RETRY_HINT}",
    )
    # Jitter: at the same retry, the waits differ from URL to URL (coefficient of variation).
    spread = mean(stdev(column) / mean(column)
                  for column in ([row[k] for row in waits] for k in range(2, attempts - 1)))
    ctx.expect(
        spread > 0.1,
        "Every URL waited the same time before the same retry (before the last retry: "
        + ", ".join(f"{row[-1]:.2f}" for row in waits)
        + " s). Clients that fail together then retry together, in waves. Add jitter: wait a "
        f"random time between 0 and the limit. {RETRY_HINT}",
    )
    longest = max(every)
    ctx.expect(
        longest <= cap + 0.3,
        f"fetch_with_retry waited {longest:.2f} s between two attempts although max_delay was "
        f"{cap} s. Cap the limit: min(max_delay, base_delay * 2 ** (n - 1)).",
    )
    return (f"{attempts} attempts per URL, mean wait before retries 1-{attempts - 1}: "
            + "/".join(f"{mean(row[k] for row in waits) * 1000:.0f}" for k in range(attempts - 1))
            + " ms")


async def _retry_not_4xx(ctx: CheckContext, fetch_with_retry: Any) -> None:
    lab = ctx.lab
    lab.reset()
    urls = [lab.url("/status/404", delay=0.02), lab.url("/status/400", delay=0.02)]

    @_named("fetch_with_retry")
    async def client_errors() -> list[Call]:
        async with aiohttp.ClientSession() as session:
            return list(await asyncio.gather(*(
                _call(fetch_with_retry(session, url, attempts=4, base_delay=0.05, max_delay=0.2,
                                       attempt_timeout=2.0, deadline=10.0))
                for url in urls)))

    calls = await ctx.run(client_errors())
    stats = lab.stats()
    for url, call in zip(urls, calls, strict=True):
        path, code = _path(url), int(_path(url).rsplit("/", 1)[1])
        seen = len(_attempts(stats, path))
        ctx.expect(
            seen <= 1,
            f"fetch_with_retry retried a {code}: the lab service saw {seen} requests for {path}. "
            "A 4xx answer (other than 429) says the request itself is wrong, and asking again "
            "cannot fix it: raise the aiohttp.ClientResponseError at once.",
        )
        ctx.expect(
            isinstance(call.error, aiohttp.ClientResponseError) and call.error.status == code,
            f"For {path} fetch_with_retry "
            + (f"returned {call.value!r}" if call.error is None else f"raised {_brief(call.error)}")
            + f". It should raise the aiohttp.ClientResponseError (status {code}) that fetch_json raises.",
        )


def _limited_waits(stats: Any, rate: float, burst: float) -> dict[int, float]:
    """Replay the service's token bucket over its log: the wait each 429 answer asked for."""
    asked: dict[int, float] = {}
    tokens, last = burst, None
    for r in sorted(stats.for_route("limited"), key=lambda r: r["start"]):
        now = r["start"]
        tokens = burst if last is None else min(burst, tokens + (now - last) * rate)
        last = now
        if r["status"] == 429:
            asked[r["id"]] = max(0.0, (1 - tokens) / rate)
        else:
            tokens -= 1
    return asked


async def _retry_429(ctx: CheckContext, fetch_with_retry: Any) -> None:
    lab = ctx.lab
    lab.reset()
    rate, burst = 4, 1  # one request per 0.25 s
    ids = [1, 2, 3]
    urls = [lab.url(f"/limited/{i}", rate=rate, burst=burst, key="check-4.1") for i in ids]

    @_named("fetch_with_retry")
    async def rate_limited() -> list[Call]:
        async with aiohttp.ClientSession() as session:
            return list(await asyncio.gather(*(
                _call(fetch_with_retry(session, url, attempts=4, base_delay=0.01, max_delay=0.05,
                                       attempt_timeout=2.0, deadline=10.0))
                for url in urls)))

    calls = await ctx.run(rate_limited())
    stats = lab.stats()
    asked = _limited_waits(stats, rate, burst)
    for url in urls:
        seen = _attempts(stats, _path(url))
        for a, b in zip(seen, seen[1:], strict=False):
            if a["status"] != 429:
                continue
            waited, wanted = b["start"] - a["end"], asked[a["id"]]
            ctx.expect(
                waited >= wanted - 0.05,
                f"After a 429 answer for {_path(url)} that said Retry-After-Ms: "
                f"{wanted * 1000:.0f}, fetch_with_retry tried again {waited * 1000:.0f} ms later. "
                "Wait at least as long as the server asks: retry_after(error) reads the header; "
                "sleep the larger of that and your backoff.",
            )
    for i, url, call in zip(ids, urls, calls, strict=True):
        if isinstance(call.error, aiohttp.ClientResponseError) and call.error.status == 429:
            ctx.expect(
                False,
                f"fetch_with_retry gave up on {_path(url)} with a 429 after {call.seconds:.2f} s "
                f"and {len(_attempts(stats, _path(url)))} attempts. A 429 says when to come back "
                "(Retry-After-Ms header): wait that long before the next attempt (see "
                "retry_after(error)) and the request gets through.",
            )
        ctx.expect(
            call.error is None and isinstance(call.value, dict) and call.value.get("id") == i,
            f"For the rate-limited {_path(url)} fetch_with_retry "
            + (f"returned {call.value!r}" if call.error is None else f"raised {_brief(call.error)}")
            + f"; expected the item with id {i} once the limiter let it through.",
        )


async def _retry_mixed_faults(ctx: CheckContext, fetch_with_retry: Any) -> int:
    """500s, hung requests and dropped connections; every item must arrive."""
    lab = ctx.lab
    lab.reset()
    # Chosen so that each item succeeds within 4 attempts (see _flaky_plan): 1: 500 then ok;
    # 4: hang, drop, 503, ok; 12: hang, hang, 503, ok; 14: drop, ok; 26: drop, hang, drop, ok.
    ids = [1, 3, 4, 12, 14, 26]
    attempt_timeout = 0.4
    urls = [lab.url(f"/flaky/{i}", fail_rate=0.5, fault="mix", delay=0.02, hang=4, seed=SEED)
            for i in ids]

    @_named("fetch_with_retry")
    async def mixed_faults() -> list[Call]:
        async with aiohttp.ClientSession() as session:
            return list(await asyncio.gather(*(
                _call(fetch_with_retry(session, url, attempts=6, base_delay=0.05, max_delay=0.2,
                                       attempt_timeout=attempt_timeout, deadline=6.0))
                for url in urls)))

    calls = await ctx.run(mixed_faults())
    stats = lab.stats()
    for i, url, call in zip(ids, urls, calls, strict=True):
        path = _path(url)
        seen = _attempts(stats, path)
        plan = _flaky_plan(i, len(seen))
        hung = [(r, kind) for r, kind in zip(seen, plan, strict=True) if kind == "timeout"]
        for r, _ in hung:
            held = (r["end"] if r["end"] is not None else stats.now) - r["start"]
            ctx.expect(
                held <= attempt_timeout + 0.6,
                f"An attempt at {path} hung (the service never answered) and fetch_with_retry "
                f"waited {held:.1f} s for it although attempt_timeout was {attempt_timeout} s. "
                "Give each attempt its own time limit: `async with asyncio.timeout(attempt_timeout):` "
                "around the request, and retry on TimeoutError.",
            )
        if call.error is not None:
            kinds = ", ".join(plan) or "none"
            ctx.expect(
                False,
                f"fetch_with_retry raised {_brief(call.error)} for {path}, whose "
                f"attempts went: {kinds}. Each of these faults is worth retrying: 5xx answers, "
                "TimeoutError (an attempt that took longer than attempt_timeout) and "
                "aiohttp.ClientConnectionError (the server dropped the connection).",
            )
        ctx.expect(
            isinstance(call.value, dict) and call.value.get("id") == i,
            f"For {path} fetch_with_retry returned {call.value!r}; expected the item with id {i}.",
        )
    return sum(1 for r in stats.requests if r["outcome"] != "ok")


async def _retry_deadline(ctx: CheckContext, fetch_with_retry: Any) -> float:
    """Requests that always hang: the total deadline must stop the retries."""
    lab = ctx.lab
    lab.reset()
    deadline = 1.0
    urls = [lab.url(f"/flaky/{i}", fail_rate=1, fault="timeout", hang=10, delay=0.01, seed=SEED)
            for i in (50, 51)]

    @_named("fetch_with_retry")
    async def always_hanging() -> list[Call]:
        async with aiohttp.ClientSession() as session:
            return list(await asyncio.gather(*(
                _call(fetch_with_retry(session, url, attempts=10, base_delay=0.05, max_delay=0.1,
                                       attempt_timeout=0.3, deadline=deadline))
                for url in urls)))

    calls = await ctx.run(always_hanging())
    stats = lab.stats()
    slowest = 0.0
    for url, call in zip(urls, calls, strict=True):
        seen = _attempts(stats, _path(url))
        busy = max(r["end"] for r in seen) - min(r["start"] for r in seen) if seen else 0.0
        slowest = max(slowest, call.seconds)
        ctx.expect(
            call.seconds <= deadline + 0.6 and busy <= deadline + 0.6,
            f"With deadline={deadline} s fetch_with_retry kept trying {_path(url)} for "
            f"{max(call.seconds, busy):.1f} s ({len(seen)} attempts, each hanging until "
            "attempt_timeout). The deadline covers the whole call, waits included: wrap the "
            "whole retry loop in `async with asyncio.timeout(deadline):`.",
        )
        ctx.expect(
            isinstance(call.error, TimeoutError),
            "When the deadline passed, fetch_with_retry "
            + (f"returned {call.value!r}" if call.error is None else f"raised {_brief(call.error)}")
            + ". It should raise TimeoutError (what `asyncio.timeout(deadline)` raises), so the "
            "caller knows it ran out of time.",
        )
    return slowest


@task("4.1")
async def check_fetch_with_retry(ctx: CheckContext) -> str:
    fetch_with_retry = ctx.function()
    backoff = await _retry_backoff(ctx, fetch_with_retry)
    await _retry_not_4xx(ctx, fetch_with_retry)
    await _retry_429(ctx, fetch_with_retry)
    faults = await _retry_mixed_faults(ctx, fetch_with_retry)
    slowest = await _retry_deadline(ctx, fetch_with_retry)
    return (f"{backoff}; 404/400 not retried; 429 waits honoured; {faults} injected faults survived; "
            f"deadline kept ({slowest:.2f} s for 1 s).")


# --------------------------------------------------------------------------- 4.2
@task("4.2")
async def check_fetch_until_deadline(ctx: CheckContext) -> str:
    fetch_until_deadline = ctx.function()
    lab = ctx.lab
    deadline = 0.8
    fast = {1: 0.1, 2: 0.2, 3: 0.3}
    slow = {4: 3.0, 5: 3.0}
    fast_urls = {lab.url(f"/items/{i}", delay=d): i for i, d in fast.items()}
    slow_urls = [lab.url(f"/items/{i}", delay=d) for i, d in slow.items()]
    failing = lab.url("/status/500", delay=0.1)
    urls = [*list(fast_urls)[:2], slow_urls[0], failing, list(fast_urls)[2], slow_urls[1]]

    call = await _run_call(ctx, "fetch_until_deadline", fetch_until_deadline(urls, deadline))
    stats = lab.stats()
    if isinstance(call.error, BaseExceptionGroup) or isinstance(call.error, aiohttp.ClientError):
        ctx.expect(
            False,
            f"fetch_until_deadline raised {_brief(call.error)}. One URL answers 500: a failed request "
            "should simply be left out of the results, not stop the others. Catch "
            "aiohttp.ClientError inside the coroutine that fetches one URL.",
        )
    ctx.expect(
        call.error is None,
        f"fetch_until_deadline raised {_brief(call.error)}. When the deadline "
        "passes, return what has arrived; do not raise (catch the TimeoutError).",
    )
    result = call.value
    ctx.expect(
        isinstance(result, dict),
        f"fetch_until_deadline returned {type(result).__name__}; expected a dict {{url: JSON}}.",
    )
    ctx.expect(
        call.seconds <= deadline + 0.7,
        f"fetch_until_deadline returned after {call.seconds:.1f} s; the deadline was {deadline} s. "
        "It waited for the slow requests: stop waiting at the deadline "
        "(`async with asyncio.timeout(deadline):`) and cancel what is still running.",
    )
    ctx.expect(
        stats.peak_in_flight >= len(urls) - 1,
        f"The requests ran one at a time (peak {stats.peak_in_flight} in flight): start them all "
        "at once, then wait for them under one deadline.",
    )
    got = [u for u in fast_urls if u in result]
    ctx.expect(
        len(got) == len(fast_urls),
        f"fetch_until_deadline returned {len(got)} of the {len(fast_urls)} answers that arrived "
        f"within the deadline (after {', '.join(f'{d}' for d in fast.values())} s). Keep each "
        "result as it arrives (store it in the dict from inside the task that fetched it): "
        "cancelling a gather at the deadline throws away the results it had already collected.",
    )
    for url, i in fast_urls.items():
        item = result[url]
        ctx.expect(
            isinstance(item, dict) and item.get("id") == i,
            f"For {_path(url)} the result was {item!r}; expected its JSON body (id {i}).",
        )
    ctx.expect(
        failing not in result,
        f"The result contains {result.get(failing)!r} for {_path(failing)}, which answered 500. "
        "Leave failed requests out.",
    )
    extra = sorted(set(result) - set(fast_urls))
    ctx.expect(not extra, f"The result has entries for URLs that did not answer in time: {extra}.")
    slow_records = [r for r in stats.requests if r["path"] in {_path(u) for u in slow_urls}]
    ctx.expect(
        len(slow_records) == 2 and all(r["outcome"] == "cancelled" for r in slow_records),
        "The lab service did not see the two slow requests cancelled "
        f"(outcomes: {[r['outcome'] for r in slow_records]}). Cancel what is still running at the "
        "deadline: asyncio.timeout around a TaskGroup does it for you.",
    )
    # Everything fast: return as soon as everything is in, not at the deadline.
    lab.reset()
    quick = [lab.url(f"/items/{i}", delay=0.1) for i in range(10, 15)]
    long_deadline = 3.0
    call2 = await _run_call(ctx, "fetch_until_deadline", fetch_until_deadline(quick, long_deadline))
    ctx.expect(
        call2.error is None and isinstance(call2.value, dict) and len(call2.value) == len(quick),
        f"With 5 URLs that all answer after 0.1 s and a deadline of {long_deadline} s, "
        "fetch_until_deadline "
        + (f"raised {_brief(call2.error)}" if call2.error is not None
           else f"returned {len(call2.value) if isinstance(call2.value, dict) else call2.value!r} results")
        + "; expected all 5.",
    )
    ctx.expect(
        call2.seconds < long_deadline - 1.0,
        f"With 5 URLs that all answer after 0.1 s, fetch_until_deadline took {call2.seconds:.1f} s: "
        f"it waited out the whole deadline ({long_deadline} s). The deadline is a limit, not a "
        "pause: return as soon as every request has finished.",
    )
    return (f"3 answers kept, the 500 left out, 2 slow requests cancelled at {call.seconds:.2f} s "
            f"(deadline {deadline} s); all-fast input returned in {call2.seconds:.2f} s.")


# --------------------------------------------------------------------------- 4.3
class CheckPool:
    """The notebook's SlotPool interface, recording every acquire and release."""

    OUTCOMES = ("ok", "failed", "cancelled")

    def __init__(self, size: int) -> None:
        self._free: asyncio.Queue[int] = asyncio.Queue()
        for slot in range(size):
            self._free.put_nowait(slot)
        self.in_use: set[int] = set()
        self.log: list[tuple[str, Any, Any]] = []
        self.problems: list[str] = []

    async def acquire(self) -> int:
        slot = await self._free.get()
        self.in_use.add(slot)
        self.log.append(("acquire", slot, None))
        return slot

    async def release(self, slot: int, outcome: str) -> None:
        if slot not in self.in_use:
            self.problems.append(f"release({slot!r}, {outcome!r}) for a slot that was not taken")
            raise ValueError(f"slot {slot!r} is not in use: release only a slot you acquired")
        if outcome not in self.OUTCOMES:
            self.problems.append(f"release({slot!r}, {outcome!r}): outcome must be one of {self.OUTCOMES}")
        await asyncio.sleep(0.02)  # giving a connection back takes a moment
        self.in_use.discard(slot)
        self._free.put_nowait(slot)
        self.log.append(("release", slot, outcome))

    def releases(self) -> list[Any]:
        return [outcome for event, _, outcome in self.log if event == "release"]


async def _wait_in_flight(ctx: CheckContext, path: str, limit: float = 3.0) -> bool:
    """Wait until the lab service is handling a request for path."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        stats = await asyncio.to_thread(ctx.lab.stats, wait_idle=False)
        if any(r["path"] == path and r["end"] is None for r in stats.requests):
            return True
        await asyncio.sleep(0.05)
    return False


async def _cancel_after(fn: Any, pool: CheckPool, url: str, ready: Any) -> tuple[asyncio.Task[Any], bool]:
    """Start fn(pool, url) as a task, wait for `ready`, cancel it; (task, finished in time)."""
    learner = asyncio.create_task(fn(pool, url))
    await ready()
    learner.cancel()
    done, _ = await asyncio.wait({learner}, timeout=3)
    return learner, bool(done)


def _cancel_verdict(ctx: CheckContext, learner: asyncio.Task[Any], finished: bool, when: str) -> None:
    ctx.expect(
        finished,
        f"fetch_with_slot was cancelled {when} and was still running 3 s later. Do not catch "
        "CancelledError to carry on: clean up and let it propagate.",
    )
    if learner.cancelled():
        return
    error = learner.exception()
    if error is None:
        ctx.expect(
            False,
            f"fetch_with_slot swallowed CancelledError: cancelled {when}, it returned "
            f"{learner.result()!r} instead of ending cancelled. Whoever cancelled it (a timeout, a "
            "TaskGroup, a shutdown) relies on the cancellation going through: after your cleanup, "
            "`raise` the CancelledError again.",
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
        f"Cancelled {when}, fetch_with_slot raised {type(error).__name__}: {error} instead of "
        "letting CancelledError propagate.",
    )


@task("4.3")
async def check_fetch_with_slot(ctx: CheckContext) -> str:
    fetch_with_slot = ctx.function()
    lab = ctx.lab

    # (a) success
    pool = CheckPool(2)
    call = await _run_call(ctx, "fetch_with_slot", fetch_with_slot(pool, lab.url("/items/7", delay=0.1)))
    ctx.expect(
        call.error is None,
        f"fetch_with_slot raised {_brief(call.error)} for a URL that answers fine.",
    )
    ctx.expect(
        isinstance(call.value, dict) and call.value.get("id") == 7,
        f"fetch_with_slot returned {call.value!r}; expected the JSON of /items/7.",
    )
    ctx.expect(not pool.problems, "The pool reports: " + "; ".join(pool.problems))
    ctx.expect(
        pool.releases() == ["ok"] and not pool.in_use,
        f"After a successful fetch the pool saw {pool.log}: the slot should be released once, with "
        "outcome 'ok'. Did you forget to `await pool.release(slot, outcome)`?",
    )

    # (b) an HTTP error: raised, slot released with outcome "failed"
    pool = CheckPool(2)
    call = await _run_call(ctx, "fetch_with_slot", fetch_with_slot(pool, lab.url("/status/503", delay=0.05)))
    ctx.expect(
        isinstance(call.error, aiohttp.ClientResponseError),
        "For a URL that answers 503 fetch_with_slot "
        + (f"returned {call.value!r}" if call.error is None else f"raised {_brief(call.error)}")
        + "; it should let the aiohttp.ClientResponseError from fetch_json propagate.",
    )
    ctx.expect(not pool.problems, "The pool reports: " + "; ".join(pool.problems))
    ctx.expect(
        pool.releases() == ["failed"] and not pool.in_use,
        "When the request failed (503) the pool saw "
        f"{pool.log or 'nothing'}: the slot was not given back with outcome 'failed'. "
        "Release it in a `finally:` so that it happens on every path.",
    )

    # (c) cancelled in the middle of the request
    lab.reset()
    pool = CheckPool(2)
    url = lab.url("/items/8", delay=5)

    @_named("fetch_with_slot")
    async def cancelled_mid_request() -> tuple[asyncio.Task[Any], bool]:
        async def request_in_flight() -> None:
            await _wait_in_flight(ctx, "/items/8")

        return await _cancel_after(fetch_with_slot, pool, url, request_in_flight)

    learner, finished = await ctx.run(cancelled_mid_request())
    stats = lab.stats()
    ctx.expect(not pool.problems, "The pool reports: " + "; ".join(pool.problems))
    ctx.expect(
        pool.releases() == ["cancelled"] and not pool.in_use,
        "Cancelled in the middle of its request, fetch_with_slot left the pool with "
        f"{pool.log}: the slot was never given back with outcome 'cancelled'. CancelledError is "
        "not an Exception (it is a BaseException), so `except Exception:` does not see it; a "
        "`finally:` (or `except asyncio.CancelledError:` ... `raise`) does.",
    )
    _cancel_verdict(ctx, learner, finished, "in the middle of its request")
    request = [r for r in stats.requests if r["path"] == "/items/8"]
    ctx.expect(
        request and request[0]["outcome"] == "cancelled",
        "The lab service did not see the request cancelled "
        f"({[r['outcome'] for r in request]}): the cancellation should reach the request itself.",
    )

    # (d) cancelled while waiting for a slot
    lab.reset()
    pool = CheckPool(1)
    held = await pool.acquire()  # the only slot is busy
    waited = lab.url("/items/9", delay=0.05)

    @_named("fetch_with_slot")
    async def cancelled_waiting_for_slot() -> tuple[asyncio.Task[Any], bool]:
        async def waiting() -> None:
            await asyncio.sleep(0.2)

        return await _cancel_after(fetch_with_slot, pool, waited, waiting)

    learner, finished = await ctx.run(cancelled_waiting_for_slot())
    ctx.expect(
        not pool.problems,
        "Cancelled while waiting for a free slot, fetch_with_slot tried to give one back: "
        + "; ".join(pool.problems)
        + ". It never got a slot, so there is nothing to release: call `slot = await "
        "pool.acquire()` before the `try:` whose `finally:` releases it.",
    )
    _cancel_verdict(ctx, learner, finished, "while waiting for a free slot")
    ctx.expect(
        lab.stats().count == 0,
        "Cancelled while waiting for a slot, fetch_with_slot still made its request.",
    )
    await pool.release(held, "ok")
    return ("slot released as 'ok', 'failed' and 'cancelled'; CancelledError propagated, also "
            "while waiting for a slot.")


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
        asyncio.get_running_loop().call_later(2.0, self.gate.set)  # never wait forever

    async def _get(self, url: str) -> dict[str, Any]:
        async with self.session.get(url) as resp:
            resp.raise_for_status()
            return await resp.json()

    async def __call__(self, url: str) -> dict[str, Any]:
        self.active += 1
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


@task("4.4")
async def check_fetch_batch(ctx: CheckContext) -> str:
    fetch_batch = ctx.function()
    lab = ctx.lab

    # (a) everything works: results in order, all at once
    delays = [0.3, 0.25, 0.2, 0.15, 0.1, 0.05]
    urls = [lab.url(f"/items/{i}", delay=d) for i, d in enumerate(delays)]

    @_named("fetch_batch")
    async def all_good() -> Call:
        async with aiohttp.ClientSession() as session:
            return await _call(fetch_batch(_Fetcher(session, {}), urls))

    call = await ctx.run(all_good())
    stats = lab.stats()
    ctx.expect(
        call.error is None,
        f"fetch_batch raised {_brief(call.error)} although every request succeeded.",
    )
    ids = [r.get("id") if isinstance(r, dict) else r for r in call.value or []]
    ctx.expect(
        ids == list(range(len(urls))),
        f"fetch_batch returned items with ids {ids}; expected {list(range(len(urls)))}, the order "
        "of the URLs (later URLs answer sooner). Keep the tasks in a list and read "
        "task.result() in that order.",
    )
    ctx.expect(
        stats.peak_in_flight >= len(urls) - 1,
        f"fetch_batch fetched one URL at a time (peak {stats.peak_in_flight} in flight): create "
        "every task in the TaskGroup before awaiting anything.",
    )

    # (b) three failures at once (two HTTP errors, one timeout) and three slow requests
    lab.reset()
    slow = [lab.url(f"/items/{i}", delay=3) for i in (11, 12, 13)]
    plan = {
        lab.url("/status/500", delay=0.05): "http",
        lab.url("/status/404", delay=0.05): "http",
        lab.url("/items/19", delay=3): "timeout",
    }
    mixed = [slow[0], *list(plan)[:2], slow[1], list(plan)[2], slow[2]]
    fetchers: list[_Fetcher] = []

    @_named("fetch_batch")
    async def three_failures() -> tuple[Call, int]:
        async with aiohttp.ClientSession() as session:
            fetchers.append(_Fetcher(session, plan))
            call = await _call(fetch_batch(fetchers[0], mixed))
            return call, fetchers[0].active  # requests still running when fetch_batch ended

    call, still_running = await ctx.run(three_failures())
    stats = lab.stats()
    raised = fetchers[0].raised
    described = ", ".join(_brief(e) for e in raised)
    ctx.expect(
        call.error is not None,
        f"fetch_batch returned {call.value!r} although requests failed "
        f"({described or 'two HTTP errors and a timeout'}). Raise BatchFailed with every failure.",
    )
    ctx.expect(
        call.seconds < 1.5,
        f"fetch_batch took {call.seconds:.1f} s: when requests fail, the TaskGroup cancels the "
        "slow ones (3 s); do not wait for them.",
    )
    ctx.expect(
        still_running == 0,
        f"fetch_batch ended while {still_running} of its requests were still running. When one "
        "request fails, the others must be cancelled and waited for before fetch_batch raises: "
        "`async with asyncio.TaskGroup()` does exactly that (asyncio.gather does not).",
    )
    leaves = _leaves(call.error)
    if isinstance(call.error, BaseExceptionGroup):
        if any(_is_batch_failed(e) for e in leaves):
            ctx.expect(
                False,
                f"fetch_batch raised {_brief(call.error)}: an ExceptionGroup of BatchFailed. Raising in "
                "each except* clause makes Python group those exceptions. Collect the failures "
                "from every except* clause into one list, and raise BatchFailed(failures) once, "
                "after the try statement.",
            )
        ctx.expect(
            False,
            f"fetch_batch let the TaskGroup's {type(call.error).__name__} escape "
            f"({_brief(call.error)}). Catch HTTP errors and timeouts with `except* "
            "aiohttp.ClientResponseError` and `except* TimeoutError`, and raise "
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
        f"BatchFailed.errors holds exception groups ({', '.join(map(_brief, groups))}); list the individual exceptions: "
        "`failures.extend(group.exceptions)` in each except* clause.",
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
        f"BatchFailed also lists {', '.join(map(_brief, strangers))}, which are not failures of the requests. List only "
        "the exceptions the TaskGroup collected.",
    )
    outcomes = [r["outcome"] for r in stats.requests if r["path"] in {_path(u) for u in slow}]
    ctx.expect(
        len(outcomes) == 3 and all(o == "cancelled" for o in outcomes),
        f"The lab service did not see the 3 slow requests cancelled ({outcomes}). A TaskGroup "
        "cancels the other tasks when one fails: use `async with asyncio.TaskGroup() as tg:`.",
    )

    # (c) a bug (ValueError) is not a failed request: it must not be wrapped in BatchFailed
    lab.reset()
    buggy = lab.url("/items/21", delay=0.05)
    urls = [lab.url("/items/22", delay=3), buggy, lab.url("/items/23", delay=3)]

    @_named("fetch_batch")
    async def a_bug() -> Call:
        async with aiohttp.ClientSession() as session:
            return await _call(fetch_batch(_Fetcher(session, {buggy: "bug"}), urls))

    call = await ctx.run(a_bug())
    leaves = _leaves(call.error) if call.error is not None else []
    ctx.expect(
        not _is_batch_failed(call.error),
        "fetch_batch reported a ValueError (a bug in the code that handles the answer, not a "
        "failed request) as BatchFailed. Handle only aiohttp.ClientResponseError and "
        "TimeoutError; except* passes every other exception on, so bugs stay visible.",
    )
    ctx.expect(
        any(isinstance(e, ValueError) for e in leaves),
        "When processing one answer raised ValueError, fetch_batch "
        + (f"returned {call.value!r}" if call.error is None else f"raised {_brief(call.error)}")
        + ". Let it propagate (inside the TaskGroup's ExceptionGroup): do not catch what you "
        "cannot handle.",
    )
    return ("results in order; 3 simultaneous failures reported in one BatchFailed, slow requests "
            "cancelled; a bug passed through untouched.")
