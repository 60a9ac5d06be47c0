"""Checks for module 01: coroutines, the event loop and tasks.

Each check calls the learner's function several times, on inputs chosen so that plausible
wrong rules give different answers (empty and one-element lists, duplicates, orders that
are neither the sorted order nor the completion order), and judges the values that came
back and what was observed: by the lab service (requests made, peak in flight), by ctx.run
(tasks left running, a blocked loop, a returned awaitable), and by a recording wrapper
around the notebook's own `fetch_json` (whether a request's task ended cancelled, or
failed because its session was closed). Messages say what happened and what to try.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import aiohttp
from hypothesis import strategies as st

from asynclab.checking import CheckContext, CheckFailed, LearnerError, task

from .helpers import examples, item_value, leaves, named


def _ids(result: object) -> list[object]:
    if not isinstance(result, list):
        return []
    return [r.get("id") if isinstance(r, dict) else r for r in result]


def _short(value: object, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _urls_for(ctx: CheckContext, ids: list[int], delays: list[float]) -> list[str]:
    return [ctx.lab.url(f"/items/{i}", delay=d) for i, d in zip(ids, delays, strict=True)]


class _FetchLog:
    """Replaces the notebook's `fetch_json` for one scenario and records how each call
    ended: "ok", "error" (with the exception) or "cancelled". A call that ends with
    CancelledError was cancelled by someone; one that fails because its session was
    closed under it ends with an error instead."""

    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx
        self.ended: list[tuple[str, str, BaseException | None]] = []
        self.calls = 0

    @contextlib.contextmanager
    def installed(self) -> Iterator[_FetchLog]:
        ns = self.ctx.namespace
        original = ns.get("fetch_json")
        if not callable(original):
            yield self  # the learner removed it: nothing to record
            return
        log = self

        async def fetch_json(session: Any, url: str) -> Any:
            log.calls += 1
            try:
                value = await original(session, url)
            except asyncio.CancelledError:
                log.ended.append((url, "cancelled", None))
                raise
            except BaseException as exc:
                log.ended.append((url, "error", exc))
                raise
            log.ended.append((url, "ok", None))
            return value

        fetch_json.__qualname__ = getattr(original, "__qualname__", "fetch_json")
        ns["fetch_json"] = fetch_json
        try:
            yield self
        finally:
            if ns.get("fetch_json") is fetch_json:
                ns["fetch_json"] = original

    def outcome(self, url: str, upto: int | None = None) -> list[tuple[str, BaseException | None]]:
        ended = self.ended if upto is None else self.ended[:upto]
        return [(how, exc) for u, how, exc in ended if u == url]




# --------------------------------------------------------------------------- 1.1
@task("1.1")
async def check_fetch_all(ctx: CheckContext) -> str:
    fetch_all = ctx.function()
    n = 12
    # Ids that are neither sorted nor in completion order: later URLs answer sooner, so
    # collecting in completion order (or sorting by id) scrambles the result.
    ids = [41, 7, 93, 15, 60, 2, 88, 34, 71, 19, 56, 0]
    urls = _urls_for(ctx, ids, [round(0.1 + 0.03 * (n - i), 2) for i in range(n)])
    result = await ctx.run(fetch_all(urls))
    sessions = ctx.last.sessions
    stats = ctx.lab.stats()
    ctx.expect(
        isinstance(result, list),
        f"fetch_all returned {type(result).__name__}, expected a list of dicts.",
    )
    ctx.expect(len(result) == n, f"fetch_all returned {len(result)} results for {n} URLs.")
    ctx.expect(
        all(isinstance(r, dict) for r in result),
        "fetch_all should return the decoded JSON of each response (a dict, `await resp.json()`, "
        f"as fetch_json does); got {type(next(r for r in result if not isinstance(r, dict))).__name__} "
        "items."
        if not all(isinstance(r, dict) for r in result)
        else "",
    )
    got = _ids(result)
    ctx.expect(
        got == ids,
        f"The results are not in the order of the URLs: ids came back as {got}, the URLs asked for "
        f"{ids}. Collect results in the order of `urls` (asyncio.gather keeps it; so does a list of "
        "tasks read after the TaskGroup), not in the order they finish.",
    )
    ctx.expect(
        stats.count == n,
        f"The lab service saw {stats.count} requests for {n} URLs: fetch each URL exactly once.",
    )
    ctx.expect(
        stats.peak_in_flight >= n // 2,
        f"fetch_all made its {n} requests one at a time (peak {stats.peak_in_flight} in flight). "
        "Start them all before awaiting any: see asyncio.gather or TaskGroup in lesson 01.",
        hint="Awaiting inside a for-loop waits for each request before starting the next. Create "
        "all the coroutines (or tasks) first, then wait for all of them together.",
    )
    ctx.expect(
        sessions == 1,
        f"fetch_all opened {sessions} aiohttp.ClientSession objects for {n} URLs. Open ONE "
        "session per call (`async with aiohttp.ClientSession() as session:`) and pass it to every "
        "fetch_json: a session per request throws away its connection pool each time."
        if sessions > 1
        else "fetch_all opened no aiohttp.ClientSession while it ran. Open one inside the function "
        "with `async with aiohttp.ClientSession() as session:`, so that it is closed when the call ends.",
        hint="One `async with aiohttp.ClientSession() as session:` around the whole fetch, and "
        "`fetch_json(session, url)` for every URL inside it.",
    )

    # Other inputs: empty, one URL, duplicates, and a few generated lists; every call starts
    # afresh (nothing may be kept between calls).
    cases: list[list[int]] = [[], [5], [5, 3, 5]]
    cases += [
        c
        for c in examples(st.lists(st.integers(0, 99), min_size=2, max_size=6), 2)
        if c not in cases
    ]
    for case in cases:
        ctx.lab.reset()
        # The delay depends on the id only, so a repeated id is the very same URL.
        delays = [round(0.01 + 0.001 * (97 - i) % 0.08, 3) for i in case]
        value = await ctx.run(fetch_all(_urls_for(ctx, case, delays)))
        ctx.expect(
            isinstance(value, list) and _ids(value) == case,
            f"For the URLs of items {case}, fetch_all returned {_short(value)}; expected the "
            f"{len(case)} item(s) {case}, in that order"
            + (" (an empty list for no URLs)" if not case else "")
            + (
                " (a URL that appears twice gives its item twice)"
                if len(set(case)) < len(case)
                else ""
            )
            + ".",
        )
        ctx.expect(
            ctx.last.sessions <= 1,
            f"fetch_all opened {ctx.last.sessions} aiohttp.ClientSession objects for {len(case)} "
            "URLs: open ONE session per call and share it.",
        )
    return (
        f"{n} URLs, results in order, peak {stats.peak_in_flight} requests in flight, one session; "
        f"also right for {len(cases)} other lists (empty, one URL, duplicates)."
    )


# --------------------------------------------------------------------------- 1.2
_WINNER_HINT = (
    "A request that fails (fetch_json raises aiohttp.ClientResponseError for a 4xx/5xx answer, "
    "another aiohttp.ClientError for a dropped connection) is not a winner. Handle the tasks "
    "in the order they finish (asyncio.as_completed, or asyncio.wait with "
    "return_when=FIRST_COMPLETED in a loop); when one raises aiohttp.ClientError, skip it and "
    "wait for the next."
)
_GROUP_HINT = (
    "In a TaskGroup, one task that raises makes the group cancel every other task and raise "
    "an ExceptionGroup: a failed request would end the whole search. Either catch "
    "aiohttp.ClientError inside each task (a helper that returns None for a failure), or "
    "start plain tasks with asyncio.create_task and cancel the rest yourself in a `finally:`."
)
_CANCEL_HINT = (
    "When you have a winner, call .cancel() on every task that is not done, then await them "
    "(`await asyncio.gather(*tasks, return_exceptions=True)`) before returning; put both in a "
    "`finally:` so that it happens on every path. See lesson 01, 'Cancelling a task'."
)


async def _first_success_run(
    ctx: CheckContext, first_success: Any, urls: list[str], log: _FetchLog
) -> tuple[Any, float, int]:
    """Run first_success(urls); (result, seconds, how many fetch_json calls had ended at the
    moment it returned)."""
    ended_at_return: list[int] = []

    async def first_success_call() -> Any:
        value = await first_success(urls)
        ended_at_return.append(len(log.ended))  # before anything else can run
        return value

    started = time.monotonic()
    with log.installed():
        value = await ctx.run(named(first_success_call(), "first_success"))
    return (
        value,
        time.monotonic() - started,
        ended_at_return[0] if ended_at_return else len(log.ended),
    )


def _judge_raised(exc: LearnerError, winner: str) -> None:
    """first_success raised although a URL succeeded: name the cause from what it raised."""
    cause = exc.__cause__
    if cause is None:
        raise exc
    found = leaves(cause)
    failures = [e for e in found if isinstance(e, aiohttp.ClientError)]
    if not failures:
        raise exc
    what = failures[0]
    shown = f"{type(what).__name__}" + (
        f" {what.status}" if isinstance(what, aiohttp.ClientResponseError) else ""
    )
    if isinstance(cause, BaseExceptionGroup):
        raise CheckFailed(
            f"first_success() raised an ExceptionGroup holding {shown} (a failed request), "
            f"although {winner} succeeded a moment later. In a TaskGroup, one task that fails "
            "makes the group cancel all the others and raise, so the winner never arrives. A "
            "failure is not a winner: catch aiohttp.ClientError inside each task, or use "
            "asyncio.create_task with as_completed / asyncio.wait and cancel the rest yourself.",
            hint=_GROUP_HINT,
        ) from None
    raise CheckFailed(
        f"first_success() raised {shown} from a request that failed, although {winner} "
        "succeeded a moment later. A 4xx/5xx answer (or a dropped connection) is a failure, not a "
        "winner: catch aiohttp.ClientError for that request and keep waiting for the next one.",
        hint=_WINNER_HINT,
    ) from None


@task("1.2")
async def check_first_success(ctx: CheckContext) -> str:
    first_success = ctx.function()
    lab = ctx.lab
    slow_delay = 2.5

    # Scenario 1: a 503 arrives first, item 2 wins, two slow requests must be cancelled.
    slow = [lab.url("/items/1", delay=slow_delay), lab.url("/items/3", delay=slow_delay)]
    urls = [slow[0], lab.url("/status/503", delay=0.05), lab.url("/items/2", delay=0.4), slow[1]]
    log = _FetchLog(ctx)
    try:
        result, elapsed, ended_at_return = await _first_success_run(ctx, first_success, urls, log)
    except LearnerError as exc:
        _judge_raised(exc, "item 2")
        raise
    stats = lab.stats()
    ctx.expect(
        isinstance(result, dict),
        f"first_success returned {_short(result)}, expected the winner's JSON (a dict).",
    )
    ctx.expect(
        "id" in result,
        f"first_success returned {_short(result)}, which is not an item: the body of the 503 "
        "response. A 5xx answer is a failure, not a winner: call resp.raise_for_status() (or use "
        "fetch_json, which does) and keep waiting for the next response.",
        hint=_WINNER_HINT,
    )
    ctx.expect(
        stats.peak_in_flight >= 3,
        f"first_success sent its requests one at a time (peak {stats.peak_in_flight} in flight). "
        "Request every URL at once (one task per URL), then take the first that succeeds.",
    )
    finished = [u for u in slow if any(how == "ok" for how, _ in log.outcome(u))]
    ctx.expect(
        not finished and elapsed < slow_delay - 0.5,
        f"first_success returned after {elapsed:.1f} s: it waited for the slow requests to finish. "
        "Return as soon as the first success arrives, and cancel the others.",
        hint=_CANCEL_HINT,
    )
    ctx.expect(
        result.get("id") == 2,
        f"first_success returned item {result.get('id')!r}; the first successful response was "
        f"item 2 after 0.4 s (items 1 and 3 take {slow_delay} s, the 503 is a failure).",
    )
    recorded = log.calls > 0
    if recorded:
        closed = [exc for u in slow for how, exc in log.outcome(u) if how == "error"]
        ctx.expect(
            not closed,
            f"The slow requests were not cancelled: they ended with "
            f"{type(closed[0]).__name__ if closed else ''} when their session was closed. Closing "
            "the session makes them fail, but that is not cancelling them. Call .cancel() on each "
            "task you no longer need, and await them before leaving the `async with` block."
            if closed
            else "",
            hint=_CANCEL_HINT,
        )
        late = [
            u
            for u in slow
            if not any(how == "cancelled" for how, _ in log.outcome(u, ended_at_return))
        ]
        ctx.expect(
            not late,
            f"{len(late)} slow request(s) were still running when first_success returned: they "
            "stopped only afterwards. After .cancel(), await the cancelled tasks "
            "(`await asyncio.gather(*tasks, return_exceptions=True)`), so that nothing is left "
            "running when the function returns.",
            hint=_CANCEL_HINT,
        )

    # Scenario 2: failures of every kind first (404, dropped connection, 500), the winner
    # late, a second success after it, and a slow one; the URL order is not the finish order.
    lab.reset()
    urls2 = [
        lab.url("/items/8", delay=0.75),  # a success, but after the winner
        lab.url("/status/500", delay=0.15),
        lab.url("/items/6", delay=slow_delay),
        lab.url("/flaky/77", fail_rate=1, fault="drop", delay=0.1),
        lab.url("/items/4", delay=0.5),  # the winner
        lab.url("/status/404", delay=0.05),
    ]
    log2 = _FetchLog(ctx)
    try:
        result2, elapsed2, ended2 = await _first_success_run(ctx, first_success, urls2, log2)
    except LearnerError as exc:
        _judge_raised(exc, "item 4")
        raise
    ctx.expect(
        isinstance(result2, dict) and result2.get("id") == 4,
        f"With a 404, a dropped connection and a 500 first, item 4 succeeding after 0.5 s and item 8 "
        f"after 0.75 s, first_success returned {_short(result2)}; expected item 4, the first success.",
        hint=_WINNER_HINT,
    )
    if log2.calls:
        late2 = [
            u
            for u in urls2[:1] + urls2[2:3]
            if not any(how == "cancelled" for how, _ in log2.outcome(u, ended2))
        ]
        ctx.expect(
            not late2,
            f"{len(late2)} request(s) still running after the winner were not cancelled before "
            "first_success returned. Cancel every task that is not done and await them.",
            hint=_CANCEL_HINT,
        )

    # Scenario 3: one URL that succeeds.
    lab.reset()
    one = await ctx.run(first_success([lab.url("/items/12", delay=0.05)]))
    ctx.expect(
        isinstance(one, dict) and one.get("id") == 12,
        f"With a single URL that succeeds, first_success returned {_short(one)}; expected item 12.",
    )

    # Scenario 4: every URL fails (4xx, 5xx, a dropped connection), and the empty list.
    for label, bad in [
        (
            "every URL fails (a 500, a 404 and a dropped connection)",
            [
                lab.url("/status/500", delay=0.05),
                lab.url("/status/404", delay=0.1),
                lab.url("/flaky/78", fail_rate=1, fault="drop", delay=0.02),
            ],
        ),
        ("the list of URLs is empty", []),
    ]:
        lab.reset()
        try:
            value = await ctx.run(first_success(bad))
        except LearnerError:
            continue  # raising is right: nothing succeeded (any exception will do)
        raise CheckFailed(
            f"When {label}, first_success should raise an exception (any kind, e.g. "
            f"RuntimeError('all requests failed')); it returned {_short(value)}.",
            hint="After the loop over the finished tasks ends without a winner, "
            "`raise RuntimeError(...)`: returning None or an error body hides the failure.",
        )
    cancelled = (
        "the slow requests were cancelled and had stopped when it returned"
        if recorded
        else "nothing was left running"
    )
    return (
        f"item 2 won after {elapsed:.2f} s and item 4 after {elapsed2:.2f} s: failures (503, 500, "
        f"404, a dropped connection) were skipped, {cancelled}; all-failing and empty input raised."
    )


# --------------------------------------------------------------------------- 1.3
@task("1.3")
async def check_fetch_with_progress(ctx: CheckContext) -> str:
    fetch_with_progress = ctx.function()
    ids = [30, 31, 32, 33, 34]
    delays = [0.9, 0.15, 0.5, 0.3, 0.7]
    urls = _urls_for(ctx, ids, delays)
    seen: list[tuple[Any, float]] = []

    def on_result(item: Any) -> None:
        seen.append((item, time.monotonic()))

    result = await ctx.run(fetch_with_progress(urls, on_result))
    stats = ctx.lab.stats()
    expected = [i for _, i in sorted(zip(delays, ids, strict=True))]
    given = [v for v, _ in seen]
    ctx.expect(
        len(seen) == len(urls),
        f"on_result was called {len(seen)} times for {len(urls)} URLs: call it once per result.",
    )
    not_items = [v for v in given if not isinstance(v, dict)]
    ctx.expect(
        not not_items,
        f"on_result got {_short(not_items[0], 100)} ({type(not_items[0]).__name__}) instead of the "
        "item: call on_result(item) with the decoded JSON of each response (the dict fetch_json "
        "returns), not with its URL."
        if not_items
        else "",
        hint="Inside the loop over asyncio.as_completed(...), `item = await next_done`, then "
        "`on_result(item)`: the callback gets the dict itself.",
    )
    order = [v.get("id") for v in given]
    ctx.expect(
        stats.peak_in_flight >= 3,
        f"The requests ran one at a time (peak {stats.peak_in_flight} in flight): start them all together.",
    )
    ctx.expect(
        order == expected,
        f"on_result saw the items in the order {order}; they finish in the order {expected}. "
        "Report each result as it completes (asyncio.as_completed).",
    )
    slowest_end = max(r["end"] for r in stats.requests)
    ctx.expect(
        seen[0][1] < slowest_end - 0.3,
        f"on_result was first called {seen[0][1] - stats.requests[0]['start']:.2f} s after the "
        "start, only once every request had finished. Call it as soon as each result arrives, "
        "inside the loop over asyncio.as_completed(...), not in a second loop afterwards.",
    )
    ctx.expect(
        isinstance(result, list) and _ids(result) == expected,
        f"fetch_with_progress returned {_short(_ids(result) if isinstance(result, list) else result)}"
        f"{' (item ids)' if isinstance(result, list) else ''}; expected the items in the order they "
        f"arrived, {expected} (the same order on_result saw them).",
    )
    # Other inputs: empty, one, duplicates; a fresh callback each time.
    for case in ([], [40], [41, 42, 41]):
        ctx.lab.reset()
        calls: list[Any] = []
        case_delays = [{40: 0.05, 41: 0.15, 42: 0.05}[i] for i in case]  # one URL per id
        value = await ctx.run(fetch_with_progress(_urls_for(ctx, case, case_delays), calls.append))
        want = sorted(case, key=lambda i: case_delays[case.index(i)])
        ctx.expect(
            _ids(calls) == want and isinstance(value, list) and _ids(value) == want,
            f"For the URLs of items {case}, on_result got {_short(_ids(calls))} and "
            f"fetch_with_progress returned {_short(value)}; expected {want} for both (one call per "
            "URL, a URL given twice is reported twice, and no URLs gives [] and no call).",
        )
    return "each result reported as it arrived, in completion order; also right for empty, one and duplicate URLs."


# --------------------------------------------------------------------------- 1.4
class _UrllibWatch:
    """Counts blocking urllib requests made while installed, and the threads they ran in."""

    def __init__(self) -> None:
        self.calls = 0
        self.threads: set[int] = set()

    @contextlib.contextmanager
    def installed(self) -> Iterator[_UrllibWatch]:
        original = urllib.request.OpenerDirector.open
        watch = self

        def open_(opener: Any, *args: Any, **kwargs: Any) -> Any:
            watch.calls += 1
            watch.threads.add(threading.get_ident())
            return original(opener, *args, **kwargs)

        urllib.request.OpenerDirector.open = open_  # type: ignore[method-assign]
        try:
            yield self
        finally:
            urllib.request.OpenerDirector.open = original  # type: ignore[method-assign]

    def in_threads(self) -> bool:
        return bool(self.threads - {threading.main_thread().ident, threading.get_ident()})


@task("1.4")
async def check_total_value(ctx: CheckContext) -> str:
    total_value = ctx.function()
    ids = [27, 20, 29, 21, 25, 22, 28, 23, 26, 24]
    urls = [ctx.lab.url(f"/items/{i}", delay=0.3) for i in ids]
    with _UrllibWatch().installed() as urllib_watch:
        result = await ctx.run(total_value(urls))
    stats = ctx.lab.stats()
    expected = sum(item_value(i) for i in ids)
    ctx.expect(
        result == expected,
        f"total_value returned {_short(result)}; the values add up to {expected}.",
    )
    ctx.expect(
        stats.count == len(ids), f"The lab service saw {stats.count} requests for {len(ids)} URLs."
    )
    if stats.peak_in_flight < len(ids) // 2:
        if urllib_watch.calls and urllib_watch.in_threads():
            raise CheckFailed(
                f"total_value fetched the URLs one at a time (peak {stats.peak_in_flight} in flight): "
                f"the {urllib_watch.calls} blocking urllib requests ran in a thread, one after "
                "another. A thread frees the event loop but does not make the fetches concurrent: "
                "fetch every URL at once, with aiohttp and asyncio.gather (or a TaskGroup).",
                hint="asyncio.to_thread(total_value_sync, urls) runs the whole old loop in one "
                "thread. Fetch the URLs with aiohttp instead, all at once, as in task 1.1.",
            )
        raise CheckFailed(
            f"total_value fetched the URLs one at a time (peak {stats.peak_in_flight} in flight): "
            "each request was awaited before the next one started. Create every request first, "
            "then await them together (asyncio.gather or a TaskGroup).",
            hint="An `await` inside a for-loop waits for each request before the next starts. "
            "Build the list of fetch_json(session, url) coroutines, then gather them.",
        )
    # Other inputs: no URLs, one, the same URL twice (its value counts twice).
    for case in ([], [7], [7, 3, 7]):
        ctx.lab.reset()
        value = await ctx.run(total_value([ctx.lab.url(f"/items/{i}", delay=0.05) for i in case]))
        want = sum(item_value(i) for i in case)
        ctx.expect(
            value == want,
            f"For the URLs of items {case}, total_value returned {_short(value)}; expected {want}"
            + (" (no URLs add up to 0)" if not case else "")
            + (" (a URL given twice counts twice)" if len(set(case)) < len(case) else "")
            + ".",
        )
    return (
        f"{len(ids)} URLs fetched concurrently (peak {stats.peak_in_flight}), total {expected}, loop "
        "never blocked; also right for no URLs, one, and a URL given twice."
    )
