"""Checks for module 03: queues, worker pools and backpressure.

Each check runs the learner's function against the lab service and judges the result and
what the service observed: which paths were requested and how often, how many requests
were in flight at once, when each one started, which were cancelled. Task 3.2 also hands
the learner a queue factory whose queues record how full they got and whether a put() had
to wait, and a slow save() that records when it ran. ctx.run adds the loop's view: a
blocked loop or worker tasks left running fail the task.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from asynclab.checking import CheckContext, LearnerError, TimedOut, task


def _value(i: int) -> int:
    return (i * 7919) % 1000  # what the lab service's /items/{i} answers


def _id_of(item: Any) -> Any:
    return item.get("id") if isinstance(item, dict) else item


def _short(values: list[Any], limit: int = 8) -> str:
    text = ", ".join(map(str, values[:limit]))
    return f"{text}, ..." if len(values) > limit else text


def _item_counts(stats: Any, ids: list[int]) -> tuple[list[int], dict[int, int]]:
    """(ids never requested, {id: times} for ids requested more than once)."""
    counts = {i: stats.by_path.get(f"/items/{i}", 0) for i in ids}
    return [i for i, c in counts.items() if c == 0], {i: c for i, c in counts.items() if c > 1}


def _leaves(exc: BaseException) -> list[BaseException]:
    """The exceptions inside a (nested) exception group; [exc] for a plain exception."""
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


async def _run(ctx: CheckContext, coro: Any, *, stuck: str = "", url_hint: bool = False) -> Any:
    """ctx.run, with two additions: a hang gets the advice `stuck` for this task, and an error
    raised out of a TaskGroup names the exceptions inside the group (the group's own message
    only says "unhandled errors in a TaskGroup")."""
    try:
        return await ctx.run(coro)
    except TimedOut as exc:
        if not stuck or "still running after" not in str(exc):
            raise  # e.g. a loop that never awaits: the message already says so
        raise TimedOut(f"{exc} {stuck}") from None
    except LearnerError as exc:
        cause = exc.__cause__
        if not isinstance(cause, BaseExceptionGroup):
            raise
        leaves = _leaves(cause)
        inside = "; ".join(f"{type(e).__name__}: {str(e)[:200]}" for e in leaves[:3])
        message = f"{exc}. Inside the group: {inside}."
        if url_hint and any("url" in type(e).__name__.lower() for e in leaves):
            message += (
                " The `next` link of a page is a path like '/pages?page=2&...': turn it into a "
                "full URL with urljoin(url, page['next'])."
            )
        raise LearnerError(message) from cause


# What to look for when a task's function never returns.
POOL_STUCK = (
    "In a pool, that is usually a worker waiting in `await queue.get()` for work that never "
    "comes: when all the URLs are queued before the workers start, stop a worker as soon as "
    "`queue.get_nowait()` raises asyncio.QueueEmpty."
)
PIPELINE_STUCK = (
    "In a pipeline, that is usually a stage waiting forever: a fetcher waiting for room in a "
    "full queue that nobody empties any more (did the saver stop early?), or a stage waiting "
    "for a stop signal that nobody sends."
)
FIND_STUCK = (
    "Here that usually means workers that do not stop when the item is found: cancel them (or "
    "raise inside the TaskGroup). A worker that catches CancelledError and carries on cannot "
    "be stopped at all: always raise it again."
)
CRAWL_STUCK = (
    "In a crawler, that is usually fetchers waiting for ids after the last pager finished (was "
    "a stop signal sent to each fetcher?), or a pager waiting for room in a full queue that no "
    "fetcher empties any more."
)


# --------------------------------------------------------------------------- 3.1
@task("3.1")
async def check_fetch_with_pool(ctx: CheckContext) -> str:
    fetch_with_pool = ctx.function()
    lab = ctx.lab
    workers = 4
    ids = list(range(40, 56))
    # Mixed latencies (0.1 to 0.25 s): the completion order is not the order of the URLs.
    urls = [lab.url(f"/items/{i}", delay=round(0.1 + 0.05 * ((i * 3) % 4), 2)) for i in ids]
    result = await _run(ctx, fetch_with_pool(urls, workers), stuck=POOL_STUCK)
    stats = lab.stats()

    missing, repeated = _item_counts(stats, ids)
    ctx.expect(
        not repeated,
        f"Some URLs were fetched more than once (item: times): {repeated}. Each URL must go to "
        "exactly one worker: put every URL in the queue once and let each worker take its next "
        "URL from the queue, instead of every worker looping over the whole list.",
    )
    ctx.expect(
        not missing,
        f"These {len(missing)} of the {len(ids)} URLs were never fetched (items {_short(missing)}). "
        "Did the workers stop before the queue was empty? A worker should stop only when there "
        "is no URL left to take.",
    )
    peak = stats.peak_in_flight
    ctx.expect(
        peak <= workers,
        f"The lab service saw {peak} requests in flight at once with workers={workers}: more "
        f"than {workers} in flight. Start exactly `workers` worker tasks, each fetching one URL "
        "at a time, rather than a task (or a gather) per URL.",
    )
    ctx.expect(
        isinstance(result, list) and len(result) == len(ids),
        f"fetch_with_pool returned {type(result).__name__}"
        f"{f' of {len(result)} results' if isinstance(result, list) else ''}; expected a list "
        f"with the {len(ids)} items, one per URL.",
    )
    odd = [r for r in result if not isinstance(r, dict)]
    ctx.expect(
        not odd,
        "fetch_with_pool should return the decoded JSON of each response (a dict, from "
        f"fetch_json); {len(odd)} of the results were not dicts, e.g. {odd[0] if odd else None!r}.",
    )
    got = [_id_of(r) for r in result]
    ctx.expect(
        got == ids,
        f"The results are not in the order of the URLs: ids came back as {got}. The workers "
        "finish in any order, so remember where each result belongs: queue (index, url) pairs "
        "and store each result at its index.",
    )
    ctx.expect(
        peak == workers,
        f"At most {peak} request(s) were in flight at once with workers={workers}: the workers "
        "did not work side by side. Start all the worker tasks first (create_task or a "
        "TaskGroup) and only then wait for them.",
    )

    # More workers than URLs, then no URLs at all: no hang, nothing left running.
    lab.reset()
    few = [lab.url(f"/items/{i}", delay=0.05) for i in (7, 8, 9)]
    result = await _run(ctx, fetch_with_pool(few, 8), stuck=POOL_STUCK)
    stats = lab.stats()
    ctx.expect(
        [_id_of(r) for r in result] == [7, 8, 9] if isinstance(result, list) else False,
        f"With 3 URLs and 8 workers fetch_with_pool returned {result!r}; expected the 3 items "
        "in order. Workers that find no work should simply stop.",
    )
    ctx.expect(stats.count == 3, f"With 3 URLs and 8 workers the lab service saw {stats.count} requests.")
    empty = await _run(ctx, fetch_with_pool([], 2), stuck=POOL_STUCK)
    ctx.expect(empty == [], f"fetch_with_pool([], 2) returned {empty!r}; expected [].")
    return (
        f"{len(ids)} URLs fetched exactly once, results in order, {peak} in flight at most "
        "(= workers); more workers than URLs and an empty list also work, no worker left running."
    )


# --------------------------------------------------------------------------- 3.2
class _WatchedQueue(asyncio.Queue):  # type: ignore[type-arg]
    """An asyncio.Queue that records how full it got and how often put() had to wait."""

    def __init__(self, maxsize: int = 0) -> None:
        super().__init__(maxsize)
        self.peak = 0
        self.puts = 0
        self.waited = 0  # put() calls that found the queue full and had to wait

    async def put(self, item: Any) -> None:
        if self.full():
            self.waited += 1
        await super().put(item)

    def put_nowait(self, item: Any) -> None:  # put() ends here too
        super().put_nowait(item)
        self.puts += 1
        self.peak = max(self.peak, self.qsize())


@task("3.2")
async def check_fetch_and_save(ctx: CheckContext) -> str:
    fetch_and_save = ctx.function()
    lab = ctx.lab
    workers, maxsize, save_time = 3, 3, 0.06
    ids = list(range(60, 84))  # 24 items: fetching takes ~0.4 s, saving ~1.4 s
    urls = [lab.url(f"/items/{i}", delay=0.05) for i in ids]
    queues: list[_WatchedQueue] = []
    saves: list[tuple[Any, float]] = []  # (id, when save() returned)
    busy = {"now": 0, "most": 0}

    def make_queue(maxsize: int = 0) -> _WatchedQueue:
        q = _WatchedQueue(maxsize)
        queues.append(q)
        return q

    async def save(item: Any) -> None:
        busy["now"] += 1
        busy["most"] = max(busy["most"], busy["now"])
        try:
            await asyncio.sleep(save_time)  # a slow store: one write at a time
        finally:
            busy["now"] -= 1
        saves.append((_id_of(item), time.monotonic()))

    result = await _run(ctx, fetch_and_save(urls, save, workers=workers, maxsize=maxsize, make_queue=make_queue), stuck=PIPELINE_STUCK)
    stats = lab.stats()

    counted = Counter(i for i, _ in saves)
    twice = {i: c for i, c in counted.items() if c > 1}
    ctx.expect(
        not twice,
        f"Some items were saved more than once (id: times): {twice}. Each URL should pass "
        "through the pipeline once: queue it once, and let exactly one fetcher take it.",
    )
    lost = [i for i in ids if i not in counted]
    ctx.expect(
        not lost,
        f"{len(lost)} of the {len(ids)} items were never saved (ids {_short(lost)}): they got lost "
        "between the stages. Did a stage stop because its queue was empty for a moment, or drop "
        "items with put_nowait() when a queue was full? Use `await queue.put(item)`, which waits "
        "for room, and stop a stage only on the stop signal from the stage before it, sent "
        "after all its work is done.",
    )
    strange = sorted(set(counted) - set(ids), key=str)
    ctx.expect(not strange, f"save() received things that are not the fetched items: {_short(strange)}. Pass it each item's JSON (a dict).")
    ctx.expect(
        result == len(ids),
        f"fetch_and_save returned {result!r}; it should return how many items it saved ({len(ids)}).",
    )
    ctx.expect(
        busy["most"] == 1,
        f"save() was running {busy['most']} times at once. The store takes one write at a time: "
        "call save() from a single saver task, awaiting each call before the next.",
    )
    ctx.expect(
        queues,
        "fetch_and_save created no queue with make_queue(), so the check cannot see your queues. "
        "Create every queue with the factory you are given: `make_queue(maxsize)`.",
    )
    for n, q in enumerate(queues, start=1):
        ctx.expect(
            q.maxsize > 0,
            f"Queue {n} of {len(queues)} was created unbounded (make_queue() without a maxsize, or "
            f"maxsize=0): it grew to {q.peak} items while the saver lagged behind. Create it with "
            "make_queue(maxsize) so that a full queue makes the stage before it wait.",
        )
        ctx.expect(
            q.maxsize <= maxsize,
            f"Queue {n} was created with maxsize={q.maxsize}, more than the maxsize={maxsize} "
            "fetch_and_save was given. Use the maxsize argument.",
        )

    # Did fetching keep pace with saving? When the k-th request started, at most
    # maxsize (queued for the saver) + workers (in the fetchers' hands) + 1 (being saved)
    # items could be fetched but not yet saved; allow one more for timing noise.
    starts = sorted(r["start"] for r in stats.for_route("items"))
    save_times = sorted(t for _, t in saves)
    ahead, worst_k, saved_then = 0, 0, 0
    for k, start in enumerate(starts):
        done = sum(1 for t in save_times if t <= start)
        if k - done > ahead:
            ahead, worst_k, saved_then = k - done, k, done
    allowed = maxsize + workers + 2
    ctx.expect(
        ahead <= allowed,
        f"Fetching ran ahead of saving: when request {worst_k + 1} started, only {saved_then} "
        f"items had been saved, so {ahead} fetched items were piling up in memory (a bounded "
        f"pipeline keeps at most about {maxsize + workers + 1}). Every queue between the stages "
        "must be bounded, and the fetchers must `await queue.put(item)` so that they wait while "
        "the saver is behind.",
    )
    waited = sum(q.waited for q in queues)
    ctx.expect(
        waited > 0,
        "No put() ever had to wait for room, so the slow saver never slowed anything down. Put "
        "items with `await queue.put(item)` into the bounded queues from make_queue(maxsize).",
    )
    peaks = ", ".join(str(q.peak) for q in queues)
    return (
        f"{len(ids)} items saved once each, one save at a time; queue depths peaked at {peaks} "
        f"(bound {maxsize}), put() waited {waited} times for room, and fetching stayed at most "
        f"{ahead} items ahead of saving."
    )


# --------------------------------------------------------------------------- 3.3
@task("3.3")
async def check_find_first(ctx: CheckContext) -> str:
    find_first = ctx.function()
    lab = ctx.lab
    workers, target = 4, 107
    ids = list(range(100, 120))
    slow = {102, 105}  # 5 s each: still in flight when the answer arrives
    urls = [lab.url(f"/items/{i}", delay=5 if i in slow else 0.1) for i in ids]
    tested: list[Any] = []

    def wanted(item: Any) -> bool:
        tested.append(_id_of(item))
        return _id_of(item) == target

    started = time.monotonic()
    result = await _run(ctx, find_first(urls, workers, wanted), stuck=FIND_STUCK)
    elapsed = time.monotonic() - started
    stats = lab.stats()

    ctx.expect(
        isinstance(result, dict) and result.get("id") == target,
        f"find_first returned {result!r}; the wanted item is the one with id {target} "
        "(return the item itself, the dict for which wanted(item) is true).",
    )
    ctx.expect(
        stats.peak_in_flight <= workers,
        f"The lab service saw {stats.peak_in_flight} requests in flight at once with "
        f"workers={workers}: start exactly `workers` workers, each fetching one URL at a time.",
    )
    ctx.expect(
        elapsed < 3,
        f"find_first took {elapsed:.1f} s: it waited for the two slow requests (5 s each) after "
        f"item {target} had arrived. Stop the other workers as soon as one finds the item.",
    )
    answer = next((r for r in stats.requests if r["path"] == f"/items/{target}"), None)
    ctx.expect(answer is not None, f"find_first returned item {target} without ever requesting it.")
    late = [r["path"] for r in stats.requests if r["start"] > answer["end"]]
    ctx.expect(
        len(late) <= workers,
        f"The pool kept fetching after item {target} had arrived: {len(late)} requests started "
        f"afterwards ({_short(late, 4)}). Stop every worker when the answer is found: cancel "
        "their tasks, or raise an exception inside a TaskGroup so that it cancels them. A worker "
        "that catches CancelledError must raise it again.",
    )
    slow_records = [r for r in stats.requests if r["path"] in {f"/items/{i}" for i in slow}]
    outcomes = [r["outcome"] for r in slow_records]
    ctx.expect(
        len(slow_records) == len(slow) and all(o == "cancelled" for o in outcomes),
        f"The two slow requests in flight when item {target} arrived were not cancelled "
        f"(the lab service saw: {outcomes}). Cancel the worker tasks that are still running, "
        "so that their requests are cancelled too.",
    )

    # Nothing matches: every URL fetched once, None returned, no worker left waiting.
    lab.reset()
    none_ids = list(range(130, 138))
    result = await _run(ctx, find_first([lab.url(f"/items/{i}", delay=0.05) for i in none_ids], 3, wanted), stuck=FIND_STUCK)
    stats = lab.stats()
    missing, repeated = _item_counts(stats, none_ids)
    ctx.expect(
        result is None,
        f"When no item is wanted, find_first should return None after fetching every URL; it returned {result!r}.",
    )
    ctx.expect(
        not missing and not repeated,
        f"When no item is wanted every URL should be fetched exactly once; missing: "
        f"{missing or 'none'}, repeated (id: times): {repeated or 'none'}.",
    )
    return (
        f"item {target} found after {elapsed:.2f} s; the slow requests were cancelled, "
        f"{len(late)} request(s) started afterwards; with no match it returned None."
    )


# --------------------------------------------------------------------------- 3.4
@task("3.4")
async def check_crawl(ctx: CheckContext) -> str:
    crawl = ctx.function()
    lab = ctx.lab
    workers = 3
    # Three listings of the same catalogue: items 1..20; ids 1..12 appear more than once.
    listings = [(4, 12), (5, 20), (3, 6)]  # (per_page, total)
    starts = [lab.url("/pages", page=1, per_page=p, total=t, delay=0.1) for p, t in listings]

    def item_url(item_id: int) -> str:
        return lab.url(f"/items/{item_id}", delay=0.08)

    result = await _run(ctx, crawl(starts, item_url, workers), stuck=CRAWL_STUCK, url_hint=True)
    stats = lab.stats()
    ids = list(range(1, 21))

    ctx.expect(isinstance(result, dict), f"crawl returned {type(result).__name__}; expected a dict {{item id: item details}}.")
    missing_keys = [i for i in ids if i not in result]
    ctx.expect(
        not missing_keys,
        f"{len(missing_keys)} of the {len(ids)} listed items are missing from the result (ids "
        f"{_short(missing_keys)}). Did the fetchers stop when the first listing ended? Send the "
        "stop signals only after every pager has finished.",
    )
    wrong = [i for i in ids if _id_of(result[i]) != i]
    ctx.expect(
        not wrong,
        f"The result maps some ids to the wrong details (ids {_short(wrong)}): store each "
        "item's JSON under its own id, `details[item_id] = await fetch_json(...)`.",
    )
    extra = [k for k in result if k not in ids]
    ctx.expect(not extra, f"The result has keys that are not listed item ids: {_short(extra)}.")

    pages = Counter((int(r["query"].get("total", 0)), int(r["query"].get("page", 0))) for r in stats.for_route("pages"))
    for per_page, total in listings:
        want = -(-total // per_page)
        got = sorted(p for (t, p), _ in pages.items() if t == total)
        twice = sorted(p for (t, p), c in pages.items() if t == total and c > 1)
        ctx.expect(
            not twice,
            f"Listing total={total} had page(s) {twice} requested more than once: walk each listing once.",
        )
        ctx.expect(
            got == list(range(1, want + 1)),
            f"Of the listing total={total} ({want} pages) the crawler requested pages {got}. "
            "Follow each page's `next` link until it is null.",
        )
    missing, repeated = _item_counts(stats, ids)
    ctx.expect(
        not repeated,
        f"Some items were fetched more than once (id: times): {repeated}. Items 1 to 12 appear "
        "in several listings; keep a set of the ids already queued and queue each one once.",
    )
    ctx.expect(not missing, f"Items {_short(missing)} were never fetched.")
    item_peak = stats.peak("items")
    ctx.expect(
        item_peak <= workers,
        f"The lab service saw {item_peak} item requests in flight at once with workers={workers}. "
        "Fetch the items with exactly `workers` fetcher tasks, not a task (or a gather) per "
        "item or per page.",
    )
    ctx.expect(
        item_peak == workers,
        f"At most {item_peak} item request(s) were in flight at once with workers={workers}: "
        "start all the fetchers first, and let them work side by side.",
    )
    ctx.expect(
        stats.peak("pages") >= 2,
        "The listings were walked one after another (never two page requests at once). Start "
        "one pager task per listing so that they walk side by side.",
    )
    first_item = min(r["start"] for r in stats.for_route("items"))
    last_page = max(r["start"] for r in stats.for_route("pages"))
    ctx.expect(
        first_item < last_page,
        "Item fetching started only after every page had been read. Start the fetchers together "
        "with the pagers, so that items listed on the first pages are fetched while the pagers "
        "walk on.",
    )
    return (
        f"{sum(pages.values())} pages and {len(ids)} items each requested once, at most "
        f"{item_peak} item requests at once, items fetched while the listings were still being walked."
    )
