"""Checks for module 01: coroutines, the event loop and tasks.

Each check runs the learner's function against the lab service and judges the result and
what the service observed (requests made, peak in flight, cancelled requests), plus what
the loop saw (stalls, tasks left running). Messages say what happened and what to try.
"""

from __future__ import annotations

import time

from asynclab.checking import CheckContext, LearnerError, task


def _value(i: int) -> int:
    return (i * 7919) % 1000  # what the lab service's /items/{i} answers


@task("1.1")
async def check_fetch_all(ctx: CheckContext) -> str:
    fetch_all = ctx.function()
    n = 12
    # Later URLs answer sooner, so collecting in completion order scrambles the result.
    urls = [ctx.lab.url(f"/items/{i}", delay=round(0.1 + 0.03 * (n - i), 2)) for i in range(n)]
    result = await ctx.run(fetch_all(urls))
    stats = ctx.lab.stats()
    ctx.expect(isinstance(result, list), f"fetch_all returned {type(result).__name__}, expected a list of dicts.")
    ctx.expect(len(result) == n, f"fetch_all returned {len(result)} results for {n} URLs.")
    ids = [r.get("id") if isinstance(r, dict) else r for r in result]
    ctx.expect(
        all(isinstance(r, dict) for r in result),
        "fetch_all should return the decoded JSON of each response (a dict, `await resp.json()`), "
        f"got {type(result[0]).__name__} items.",
    )
    ctx.expect(
        ids == list(range(n)),
        f"The results are not in the order of the URLs: ids came back as {ids}. "
        "Collect results in the order of `urls` (asyncio.gather keeps it), not in the order they finish.",
    )
    ctx.expect(
        stats.count == n,
        f"The lab service saw {stats.count} requests for {n} URLs: fetch each URL exactly once.",
    )
    ctx.expect(
        stats.peak_in_flight >= n // 2,
        f"fetch_all made its {n} requests one at a time (peak {stats.peak_in_flight} in flight). "
        "Start them all before awaiting any: see asyncio.gather or TaskGroup in lesson 01.",
    )
    return f"{n} URLs, results in order, peak {stats.peak_in_flight} requests in flight."


@task("1.2")
async def check_first_success(ctx: CheckContext) -> str:
    first_success = ctx.function()
    lab = ctx.lab
    urls = [
        lab.url("/items/1", delay=5),  # slow: must be cancelled
        lab.url("/status/503", delay=0.05),  # fast but a failure: not a winner
        lab.url("/items/2", delay=0.4),  # the winner
        lab.url("/items/3", delay=5),  # slow: must be cancelled
    ]
    started = time.monotonic()
    result = await ctx.run(first_success(urls))
    elapsed = time.monotonic() - started
    stats = lab.stats()
    ctx.expect(isinstance(result, dict), f"first_success returned {type(result).__name__}, expected the winner's JSON (a dict).")
    ctx.expect(
        "id" in result,
        f"first_success returned {result!r}, which is not an item: probably the body of the 503 "
        "response. A 5xx answer is a failure, not a winner: call resp.raise_for_status() (or "
        "check resp.status) and keep waiting for the next response.",
    )
    ctx.expect(
        result.get("id") == 2,
        f"first_success returned {result!r}; the first successful response was item 2 "
        "(items 1 and 3 take 5 s, the 503 is a failure).",
    )
    slow = [r for r in stats.requests if r["path"] in ("/items/1", "/items/3")]
    finished = [r["path"] for r in slow if r["outcome"] == "ok"]
    ctx.expect(
        not finished and elapsed < 4,
        f"first_success waited for the slow requests to finish ({elapsed:.1f} s). Return as soon "
        "as the first success arrives and cancel the others.",
    )
    ctx.expect(
        len(slow) == 2 and all(r["outcome"] == "cancelled" for r in slow),
        "The lab service never saw the two slow requests cancelled "
        f"({[r['outcome'] for r in slow]}). Call .cancel() on the tasks you no longer need.",
    )
    # All failing: the function must raise, not return None or an error body.
    lab.reset()
    bad = [lab.url("/status/500", delay=0.05), lab.url("/status/503", delay=0.1)]
    try:
        value = await ctx.run(first_success(bad))
    except LearnerError:
        pass  # raising is right: nothing succeeded
    else:
        ctx.expect(
            False,
            f"When every URL fails, first_success should raise an exception; it returned {value!r}.",
        )
    return f"item 2 won after {elapsed:.2f} s; the 503 was skipped and both slow requests were cancelled."


@task("1.3")
async def check_fetch_with_progress(ctx: CheckContext) -> str:
    fetch_with_progress = ctx.function()
    delays = {0: 0.9, 1: 0.15, 2: 0.5, 3: 0.3, 4: 0.7}
    urls = [ctx.lab.url(f"/items/{i}", delay=d) for i, d in delays.items()]
    seen: list[tuple[int, float]] = []

    def on_result(item: dict) -> None:
        seen.append((item.get("id") if isinstance(item, dict) else item, time.monotonic()))

    result = await ctx.run(fetch_with_progress(urls, on_result))
    stats = ctx.lab.stats()
    expected = sorted(delays, key=delays.get)
    ctx.expect(len(seen) == len(urls), f"on_result was called {len(seen)} times for {len(urls)} URLs: call it once per result.")
    ctx.expect(
        [i for i, _ in seen] == expected,
        f"on_result saw the items in the order {[i for i, _ in seen]}; they finish in the order "
        f"{expected}. Report each result as it completes (asyncio.as_completed).",
    )
    slowest_end = max(r["end"] for r in stats.requests)
    ctx.expect(
        seen[0][1] < slowest_end - 0.2,
        "on_result was only called after every request had finished. Call it as soon as each "
        "result arrives: loop over asyncio.as_completed(...) instead of gathering first.",
    )
    ctx.expect(
        isinstance(result, list) and [r.get("id") for r in result if isinstance(r, dict)] == expected,
        f"fetch_with_progress should return the results in completion order {expected}.",
    )
    ctx.expect(
        stats.peak_in_flight >= 3,
        f"The requests ran one at a time (peak {stats.peak_in_flight} in flight): start them all together.",
    )
    return "each result reported as it arrived, in completion order."


@task("1.4")
async def check_total_value(ctx: CheckContext) -> str:
    total_value = ctx.function()
    ids = list(range(20, 30))
    urls = [ctx.lab.url(f"/items/{i}", delay=0.3) for i in ids]
    result = await ctx.run(total_value(urls))
    stats = ctx.lab.stats()
    expected = sum(_value(i) for i in ids)
    ctx.expect(result == expected, f"total_value returned {result!r}; the values add up to {expected}.")
    ctx.expect(stats.count == len(ids), f"The lab service saw {stats.count} requests for {len(ids)} URLs.")
    ctx.expect(
        stats.peak_in_flight >= len(ids) // 2,
        f"total_value fetched the URLs one at a time (peak {stats.peak_in_flight} in flight). "
        "Running the old function in a thread frees the loop but does not make it concurrent: "
        "fetch all URLs at once with aiohttp and asyncio.gather.",
    )
    return f"{len(ids)} URLs fetched concurrently (peak {stats.peak_in_flight}), total {expected}, loop never blocked."
