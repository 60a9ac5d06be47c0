"""Checks for module 02: limiting concurrency.

Each check drives the learner's code against the lab service and judges both the values
that came back and what the service observed: how many requests were in flight at once,
when each one started (the request timeline), how often the same item was fetched. The
event loop is watched too (stalls, tasks left running). Messages say what happened, what
was expected, and what to try next.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections import Counter
from collections.abc import Coroutine
from typing import Any

import aiohttp

from asynclab.checking import CheckContext, CheckFailed, LearnerError, TimedOut, task


def _value(i: int) -> int:
    return (i * 7919) % 1000  # what the lab service's /items/{i} answers


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


def _first_leaf(group: BaseExceptionGroup) -> BaseException:
    exc: BaseException = group
    while isinstance(exc, BaseExceptionGroup):
        exc = exc.exceptions[0]
    return exc


def _named(coro: Coroutine[Any, Any, Any], name: str) -> Coroutine[Any, Any, Any]:
    """Give a check's scenario coroutine the learner's name, for ctx.run's messages."""
    coro.__qualname__ = name
    return coro


def _learner_class(ctx: CheckContext, name: str) -> type:
    obj = ctx.namespace.get(name)
    if obj is None:
        raise LearnerError(
            f"MISSING CLASS {name}: did you rename it, or has its cell not run yet? "
            f"Keep the name `{name}` and run its cell before checking."
        )
    if not isinstance(obj, type):
        raise LearnerError(f"`{name}` should be a class, but it is a {type(obj).__name__}.")
    return obj


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
    return [r.get("id") if isinstance(r, dict) else r for r in result]


def _busiest_window(starts: list[float], width: float) -> tuple[int, float]:
    """(most starts inside any window [t, t + width), the t where that happens)."""
    starts = sorted(starts)
    best, at, j = 0, starts[0] if starts else 0.0, 0
    for i, t in enumerate(starts):
        while starts[j] < t - width + 1e-9:
            j += 1
        if i - j + 1 > best:
            best, at = i - j + 1, starts[j]
    return best, at


# --------------------------------------------------------------------------- 2.1
@task("2.1")
async def check_bounded_gather(ctx: CheckContext) -> str:
    bounded_gather = ctx.function()
    limit, n = 4, 24
    # Mixed latencies: results finish out of order, and batches would leave slots idle.
    delays = [0.3 if i % 4 == 0 else 0.1 if i % 4 == 2 else 0.05 for i in range(n)]
    urls = [ctx.lab.url(f"/items/{i}", delay=d) for i, d in enumerate(delays)]
    async with _session() as session:
        coros = [_get_json(session, url) for url in urls]
        try:
            result = await ctx.run(bounded_gather(coros, limit))
        except TimedOut as exc:
            raise TimedOut(
                f"{exc} With a limit, the usual cause is a slot that is never given back: "
                "a Semaphore acquired without a release. Use `async with semaphore:` so that "
                "the slot is released when the request ends, even when it fails."
            ) from None
        finally:
            _close_unstarted(coros)
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
    ctx.expect(
        peak <= limit,
        f"The lab service saw {peak} requests in flight at once: more than the limit of {limit}. "
        "Every coroutine must wait for a free slot before it starts. Create ONE "
        f"asyncio.Semaphore({limit}) and share it: a semaphore created inside the wrapper "
        "coroutine gives each coroutine a slot of its own.",
    )
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
    return (
        f"{n} results in order; at most {peak} requests in flight (limit {limit}), "
        f"{busy:.1f} slots busy on average."
    )


# --------------------------------------------------------------------------- 2.2
@task("2.2")
async def check_rate_limiter(ctx: CheckContext) -> str:
    fetch_at_rate = ctx.function()
    RateLimiter = _learner_class(ctx, "RateLimiter")
    calls, period, gap = 5, 1.0, 0.7
    urls = [ctx.lab.url(f"/items/{i}", delay=0.05) for i in range(11)]
    first, second = urls[:3], urls[3:]

    async def fetch_in_two_waves() -> list[Any]:
        limiter = RateLimiter(calls, period)
        try:
            async with asyncio.TaskGroup() as tg:
                wave1 = tg.create_task(fetch_at_rate(first, limiter))
                await asyncio.sleep(gap)
                wave2 = tg.create_task(fetch_at_rate(second, limiter))
        except BaseExceptionGroup as group:
            raise _first_leaf(group) from None
        return wave1.result() + wave2.result()

    result = await ctx.run(_named(fetch_in_two_waves(), "RateLimiter"))
    stats = ctx.lab.stats()
    ids = _ids(result)
    ctx.expect(
        ids == list(range(len(urls))),
        f"fetch_at_rate returned items {ids}; expected the {len(urls)} items in the order of "
        "the URLs. Did acquire() raise or return something unexpected?",
    )
    ctx.expect(
        stats.count == len(urls),
        f"The lab service saw {stats.count} requests for {len(urls)} URLs.",
    )
    starts = sorted(r["start"] for r in stats.requests)
    t0 = starts[0]
    window = period - 0.15  # a little slack for network jitter between client and service
    most, at = _busiest_window(starts, window)
    timeline = ", ".join(f"{s - t0:.2f}" for s in starts)
    ctx.expect(
        most <= calls,
        f"{most} requests started within {window:.2f} s (from {at - t0:.2f} s on), but "
        f"RateLimiter({calls}, {period:g}) allows at most {calls} in any {period:g} s. "
        f"Start times seen by the lab service (s): {timeline}. The check sent 3 requests, "
        f"then 8 more {gap} s later. acquire() must remember when the recent calls happened "
        "and wait until the oldest of the last "
        f"{calls} is {period:g} s old; a counter that resets every second lets two bursts "
        "meet at the boundary.",
    )
    last = starts[-1] - t0
    ctx.expect(
        last <= 3.5,
        f"The last request started {last:.2f} s after the first; at {calls} per {period:g} s these "
        f"11 requests fit in about 2 s. Your limiter waits longer than it needs to: wait only "
        f"until the oldest of the last {calls} calls is {period:g} s old. Start times (s): {timeline}.",
    )
    return (
        f"11 requests in two waves: never more than {most} started in any {window:.2f} s "
        f"(limit {calls} per {period:g} s); the last one started after {last:.2f} s."
    )


# --------------------------------------------------------------------------- 2.3
KEYS = {"a": 11, "b": 12, "c": 13, "flaky": 14}


@task("2.3")
async def check_single_flight(ctx: CheckContext) -> str:
    single_flight = ctx.function(is_async=False)
    if inspect.iscoroutinefunction(single_flight):
        raise CheckFailed(
            "single_flight should be a plain `def` that returns an async function; it is an "
            "`async def`, so single_flight(fetch) gives a coroutine, not something to call."
        )
    lab = ctx.lab
    fetched: Counter[str] = Counter()  # calls of fetch(key), per key
    seen: dict[str, Any] = {}

    async def fetch_with_single_flight() -> None:
        async with _session() as session:

            async def fetch(key: str) -> dict:
                fetched[key] += 1
                if key == "flaky" and fetched[key] == 1:  # the first attempt fails
                    await _get_json(session, lab.url("/status/503", delay=0.15))
                return await _get_json(session, lab.url(f"/items/{KEYS[key]}", delay=0.2))

            get = single_flight(fetch)
            if not callable(get):
                raise CheckFailed(
                    f"single_flight(fetch) returned {type(get).__name__}; it should return an "
                    "async function `get(key)`."
                )
            keys = ["a"] * 5 + ["b"] * 4 + ["c"] * 3
            seen["round1"] = list(zip(keys, await asyncio.gather(*(get(k) for k in keys)), strict=True))
            seen["after1"] = Counter(fetched)
            seen["round2"] = await asyncio.gather(get("a"), get("b"))
            seen["after2"] = Counter(fetched)
            seen["round3"] = await asyncio.gather(*(get("flaky") for _ in range(3)), return_exceptions=True)
            for outcome in seen["round3"]:  # a stub, or a stop from the loop watch: pass it on
                if isinstance(outcome, NotImplementedError) or (
                    isinstance(outcome, BaseException) and not isinstance(outcome, Exception)
                ):
                    raise outcome
            try:
                seen["round4"] = await get("flaky")
            except Exception as exc:  # judged below
                seen["round4"] = exc

    await ctx.run(_named(fetch_with_single_flight(), "single_flight"))
    stats = lab.stats()

    def good(key: str, value: object) -> bool:
        return isinstance(value, dict) and value.get("id") == KEYS[key]

    wrong = [(k, v) for k, v in seen["round1"] if not good(k, v)]
    ctx.expect(
        not wrong,
        f"get({wrong[0][0]!r}) returned {_describe(wrong[0][1])}; expected what fetch({wrong[0][0]!r}) "
        f"returns, the item with id {KEYS[wrong[0][0]]}." if wrong else "",
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
    round3 = seen["round3"]
    odd = [r for r in round3 if not (isinstance(r, Exception) or good("flaky", r))]
    ctx.expect(
        not odd,
        f"While fetch('flaky') failed, get('flaky') returned {_describe(odd[0])} instead of "
        "raising that failure or trying again." if odd else "",
    )
    round4 = seen["round4"]
    ctx.expect(
        good("flaky", round4),
        f"After fetch('flaky') failed once, the next get('flaky') gave {_describe(round4)} instead of "
        "trying again: the failure was cached. Store only successes; when the fetch raises, "
        "forget the key so that the next call starts a new fetch.",
    )
    return (
        f"12 concurrent calls for 3 keys made {sum(after1.values())} fetches (peak {peak} in "
        "flight); repeats came from the cache; a failure was retried on the next call."
    )


# --------------------------------------------------------------------------- 2.4
@task("2.4")
async def check_fetch_on_signal(ctx: CheckContext) -> str:
    fetch_on_signal = ctx.function()
    lab = ctx.lab
    n, wait_first = 8, 0.6
    urls = [lab.url(f"/items/{i}", delay=0.2) for i in range(n)]
    go = asyncio.Event()
    signalled: list[float] = []

    async def signal_later() -> None:
        await asyncio.sleep(wait_first)
        signalled.append(time.monotonic())
        go.set()

    signaller = asyncio.create_task(signal_later())
    called = time.monotonic()
    try:
        result = await ctx.run(fetch_on_signal(urls, go, 5.0), timeout=6)
    finally:
        signaller.cancel()
    returned = time.monotonic() - called
    stats = lab.stats()
    ids = _ids(result)
    ctx.expect(ids == list(range(n)), f"fetch_on_signal returned items {ids}; expected ids 0..{n - 1} in URL order.")
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
        "for it first: `await go.wait()`, then send the requests." if early else "",
    )
    peak = stats.peak("items")
    ctx.expect(
        peak == n,
        f"After the signal the requests ran one at a time or in small groups (peak {peak} in "
        f"flight of {n}). Once `go` is set, start them all together (gather or TaskGroup).",
    )
    late = starts[-1] - fired
    ctx.expect(
        late <= 0.35,
        f"The requests started up to {late:.2f} s after the signal. `await go.wait()` wakes "
        "the moment the event is set; a loop that checks go.is_set() and sleeps in between "
        "reacts late.",
    )

    # Part two: the signal never comes.
    lab.reset()
    never = asyncio.Event()
    started = time.monotonic()
    try:
        value = await ctx.run(fetch_on_signal(urls[:2], never, 0.5), timeout=4)
    except TimedOut:
        raise CheckFailed(
            "With timeout=0.5 and no signal, fetch_on_signal was still waiting after 4 s. It "
            "should raise TimeoutError once `timeout` seconds have passed: wrap the wait in "
            "`async with asyncio.timeout(timeout):`."
        ) from None
    except LearnerError as exc:
        ctx.expect(
            isinstance(exc.__cause__, TimeoutError),
            f"With no signal, fetch_on_signal should raise TimeoutError; it raised: {exc}",
        )
    else:
        raise CheckFailed(
            f"The signal never came, yet fetch_on_signal returned {_describe(value)}. It should raise "
            "TimeoutError after `timeout` seconds (asyncio.timeout does that for you)."
        )
    gave_up = time.monotonic() - started
    quiet = lab.stats()
    ctx.expect(
        quiet.count == 0,
        f"The signal never came, yet the lab service saw {quiet.count} request(s). Send nothing "
        "until `go` is set.",
    )
    return (
        f"no request before the signal; all {n} started within {late:.2f} s of it; without a "
        f"signal it gave up after {gave_up:.1f} s with TimeoutError."
    )
