"""Checks for module 03: queues, worker pools and backpressure.

Each check calls the learner's function several times (a main scenario, then edge cases and
generated inputs: no URLs, one URL, more workers than URLs, repeated URLs, other pool sizes)
and judges the result and what the lab service observed: which paths were requested and how
often, how many requests were in flight at once, when each one started, which ended early.
Task 3.1 also watches asyncio.Queue (how many items each queue handed out), task 3.2 hands
the learner a queue factory whose queues record what went through them and whether a put()
had to wait, plus a slow save() that records when it ran. ctx.run adds the loop's view on
every exit path: a blocked loop, tasks left running, cancellations swallowed, a hang and
where it hangs. ``ctx.last.tasks`` says how many tasks the learner's code started: a pool is
`workers` long-lived tasks, not a task per URL.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis import strategies as st

from asynclab.checking import (
    CheckContext,
    CheckFailed,
    LearnerError,
    TimedOut,
    _is_learner_frame,
    _LearnerTask,
    task,
)
from exercises_tests.helpers import examples, item_value, leaves, named

# Lesson sections the messages point to (by title).
STOP_FROM_INSIDE = "lesson 03, 'Stopping a pool from inside: the first answer wins'"
JOIN_SECTION = "lesson 03, 'Knowing when the work is done: task_done() and join()'"
WORKER_DIES = "lesson 03, 'When a worker dies, join() waits forever'"
STOPPING = "lesson 03, 'Stopping workers cleanly'"


def _id_of(item: Any) -> Any:
    return item.get("id") if isinstance(item, dict) else item


def _is_item(value: Any, item_id: int) -> bool:
    return isinstance(value, dict) and value.get("id") == item_id and value.get("value") == item_value(item_id)


def _short(values: list[Any], limit: int = 8) -> str:
    text = ", ".join(map(str, values[:limit]))
    return f"{text}, ..." if len(values) > limit else text


def _item_counts(stats: Any, ids: list[int]) -> tuple[list[int], dict[int, int]]:
    """(ids never requested, {id: times} for ids requested more than once)."""
    counts = {i: stats.by_path.get(f"/items/{i}", 0) for i in ids}
    return [i for i, c in counts.items() if c == 0], {i: c for i, c in counts.items() if c > 1}


def _names(tasks: list[str]) -> str:
    return ", ".join(f"{n} x{c}" if c > 1 else n for n, c in Counter(tasks).most_common(3))


def _source(fn: Callable[..., Any]) -> str:
    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        return ""


def _learner_task(t: asyncio.Task[Any]) -> bool:
    code = getattr(t.get_coro(), "cr_code", None)
    return code is not None and _is_learner_frame(code.co_filename)


def _again(exc: Exception, message: str) -> Exception:
    """The same kind of outcome as ``exc`` with another message (and the same hint)."""
    if isinstance(exc, CheckFailed):
        return CheckFailed(message, exc.hint)
    return type(exc)(message)


UNWINDING_HINT = (
    "`task.cancel()` only asks a task to stop: the CancelledError arrives at its next `await`, "
    "and until then it still runs (its `finally:` blocks, its open request). After cancelling, "
    "wait for the tasks: `await asyncio.gather(*tasks, return_exceptions=True)`. Or let a "
    f"TaskGroup cancel and wait for you ({STOP_FROM_INSIDE})."
)


class _TaskWatch:
    """Sees every task created while active (as the loop's task factory, under ctx.run's own
    recorder) and samples, every SAMPLE seconds, which of the learner's tasks have been asked
    to cancel: a task still running long after that ignores its cancellation."""

    SAMPLE = 0.05

    def __init__(self) -> None:
        self.tasks: list[asyncio.Task[Any]] = []
        self.cancel_seen: dict[asyncio.Task[Any], float] = {}  # task -> when first seen cancelling
        self.in_group_exit: set[asyncio.Task[Any]] = set()  # at the last sample
        self.last_sample = 0.0

    def learner(self) -> list[asyncio.Task[Any]]:
        return [t for t in self.tasks if _learner_task(t)]

    async def _sample(self) -> None:
        while True:
            now = time.monotonic()
            running = [t for t in self.learner() if not t.done()]
            for t in running:
                if t.cancelling() and t not in self.cancel_seen:
                    self.cancel_seen[t] = now
            self.in_group_exit = {t for t in running if _in_taskgroup_exit(t)}
            self.last_sample = now
            await asyncio.sleep(self.SAMPLE)

    def ignoring(self, after: float = 0.5) -> list[asyncio.Task[Any]]:
        """Tasks that were asked to cancel at least ``after`` s before the last sample and were
        still running then (read this before anything else cancels them). A task waiting for
        its TaskGroup's other tasks is not one of them: it waits for those."""
        return [
            t for t, seen in self.cancel_seen.items()
            if self.last_sample - seen >= after and t not in self.in_group_exit
        ]

    @contextmanager
    def active(self) -> Iterator[_TaskWatch]:
        loop = asyncio.get_running_loop()
        previous = loop.get_task_factory()

        def factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> Any:
            # The machinery's own task class: it keeps count of a TaskGroup's cancellations.
            t = previous(loop, coro, **kwargs) if previous is not None else _LearnerTask(coro, loop=loop, **kwargs)
            self.tasks.append(t)
            return t

        sampler = asyncio.ensure_future(self._sample())  # before the factory: not recorded
        loop.set_task_factory(factory)
        try:
            yield self
        finally:
            loop.set_task_factory(previous)
            sampler.cancel()


def _in_taskgroup_exit(t: asyncio.Task[Any]) -> bool:
    """Whether the task is suspended in `async with TaskGroup()`'s exit (waiting for its tasks)."""
    obj: Any = t.get_coro()
    for _ in range(100):
        code = getattr(obj, "cr_code", None)
        if code is None:
            return False
        if code.co_name == "__aexit__" and code.co_filename.endswith("taskgroups.py"):
            return True
        obj = getattr(obj, "cr_await", None)
    return False


def _task_name(t: asyncio.Task[Any]) -> str:
    return getattr(t.get_coro(), "__qualname__", "task").rsplit(".", 1)[-1] + "()"


async def _call(
    ctx: CheckContext, fn: Callable[..., Any], *args: Any, where: str = "", stuck: dict[str, str] | None = None,
    **kwargs: Any,
) -> Any:
    """``await fn(*args, **kwargs)`` under ctx.run. ``where`` names the scenario in any message
    about it; ``stuck`` is advice for a hang, by the wait the learner's tasks were found in.

    Beyond ctx.run's verdicts: on a hang, a task that had been asked to cancel (by the
    learner's code or by its TaskGroup) long before and was still running swallowed its
    cancellation; a function that returns while tasks it cancelled are still finishing their
    cancellation (cancel() without waiting for them) leaves them running; more than one
    aiohttp session per call fails (every task text asks for one)."""
    name = getattr(fn, "__name__", "your function")
    unwinding: list[str] = []
    watch = _TaskWatch()

    async def driver() -> Any:
        result = await fn(*args, **kwargs)
        unwinding.extend(_task_name(t) for t in watch.learner() if not t.done() and t.cancelling())
        return result

    at = f" (This was the call {where}.)" if where else ""
    with watch.active():
        try:
            result = await ctx.run(named(driver(), name))
        except TimedOut as exc:
            ignoring = [t for t in watch.ignoring() if not t.done() or t.cancelled()]
            if ignoring:
                raise TimedOut(
                    f"{exc}{at} {len(ignoring)} of these task(s) ({_names([_task_name(t) for t in ignoring])}) "
                    "had been cancelled, by your code or by their TaskGroup, well before the time "
                    f"limit and were still running: they catch CancelledError and carry on. {KEEP_GOING_HINT}"
                ) from None
            extra = next((advice for wait, advice in (stuck or {}).items() if f"waiting in {wait}" in str(exc)), "")
            raise TimedOut(f"{exc}{at} {extra}".rstrip()) from None
        except (CheckFailed, LearnerError) as exc:
            if not where:
                raise
            raise _again(exc, f"{exc}{at}") from exc.__cause__
    if unwinding:
        raise CheckFailed(
            f"{name}() returned while {len(unwinding)} task(s) it had cancelled were still running "
            f"({_names(unwinding)}){f' in the call {where}' if where else ''}: it cancelled them "
            "but did not wait for them to stop. Await the cancelled tasks before returning "
            "(`await asyncio.gather(*tasks, return_exceptions=True)`), or let a TaskGroup do both.",
            UNWINDING_HINT,
        )
    ctx.expect(
        ctx.last.sessions <= 1,
        f"{name}() opened {ctx.last.sessions} aiohttp.ClientSession objects"
        f"{f' in the call {where}' if where else ''}: use one session for the whole call, shared "
        "by all its tasks. Each session has its own connection pool, so a session per worker or "
        "per request opens new connections instead of reusing them.",
        "Open the session once, `async with aiohttp.ClientSession() as session:` around the "
        "code that starts the tasks, and let every task use that `session`.",
    )
    return result


def _too_many_tasks(ctx: CheckContext, name: str, workers: int, n_urls: int, where: str = "") -> None:
    """A pool is `workers` long-lived tasks (plus maybe one helper, such as a producer or a
    join() task), not a task per URL."""
    tasks = ctx.last.tasks
    ctx.expect(
        len(tasks) <= workers + 2,
        f"{name}() started {len(tasks)} tasks ({_names(tasks)}) for {n_urls} URLs with "
        f"workers={workers}{f' ({where})' if where else ''}: "
        + (
            "a task per URL. "
            if len(tasks) >= n_urls
            else ""
        )
        + "Limiting how many run at once (a semaphore over gather, lesson 02) is not a pool. "
        "Start exactly `workers` worker tasks, and let each one take URL after URL from one "
        "shared asyncio.Queue until the queue is empty.",
        POOL_HINT,
    )


POOL_HINT = (
    "A pool is a fixed number of long-lived tasks, not one task per URL: put every URL in one "
    "asyncio.Queue, then start `workers` tasks that each loop `take a URL, fetch it, take the "
    "next` until `queue.get_nowait()` raises asyncio.QueueEmpty (all the work was queued up "
    "front, so empty means done). See lesson 03, 'A pool of N workers'."
)


# --------------------------------------------------------------------------- 3.1
class _QueueWatch:
    """Counts, per asyncio.Queue (and subclass) object, the items taken out of it while active:
    get() ends in get_nowait(), so patching get_nowait sees both."""

    def __init__(self) -> None:
        self.taken: Counter[int] = Counter()

    @contextmanager
    def active(self) -> Iterator[_QueueWatch]:
        original = asyncio.Queue.get_nowait
        watch = self

        def get_nowait(queue: asyncio.Queue[Any]) -> Any:
            item = original(queue)
            watch.taken[id(queue)] += 1
            return item

        asyncio.Queue.get_nowait = get_nowait  # type: ignore[method-assign]
        try:
            yield self
        finally:
            asyncio.Queue.get_nowait = original  # type: ignore[method-assign]


POOL_STUCK = {
    "Queue.join()": f"({JOIN_SECTION}; and if a worker can fail, {WORKER_DIES}.)",
    "Queue.get()": (
        "Here all the URLs are queued before the workers start, so a worker can stop as soon as "
        "`queue.get_nowait()` raises asyncio.QueueEmpty; a worker waiting in `await queue.get()` "
        "needs a stop signal of its own (one sentinel per worker: a worker that takes a sentinel "
        f"stops, the others still wait for theirs) or a cancel() ({STOPPING})."
    ),
}


def _pool_delay(item_id: int) -> float:
    return round(0.02 + 0.02 * (item_id % 3), 2)


@task("3.1")
async def check_fetch_with_pool(ctx: CheckContext) -> str:
    fetch_with_pool = ctx.function()
    lab = ctx.lab
    # Drawn before the learner's code runs: lists of ids (repeats allowed) and pool sizes.
    generated = examples(st.tuples(st.lists(st.integers(0, 40), max_size=7), st.integers(1, 5)), 5)
    fixed = [([7, 8, 9], 8), ([], 2), ([23], 1), ([31, 4, 31, 16], 2)]

    workers = 4
    ids = [47, 12, 33, 5, 58, 21, 40, 9, 64, 18, 51, 2, 36, 27, 60, 14]  # not sorted
    # Different latencies (0.1 to 0.25 s): the workers finish in another order than the URLs.
    urls = [lab.url(f"/items/{i}", delay=round(0.1 + 0.05 * (n % 4), 2)) for n, i in enumerate(ids)]
    watch = _QueueWatch()
    with watch.active():
        result = await _call(ctx, fetch_with_pool, urls, workers, stuck=POOL_STUCK)
    stats = lab.stats()
    tasks = list(ctx.last.tasks)

    ctx.expect(
        isinstance(result, list) and len(result) == len(ids),
        f"fetch_with_pool returned {type(result).__name__}"
        f"{f' of {len(result)} results' if isinstance(result, list) else ''}; expected a list "
        f"with the {len(ids)} items, one per URL.",
    )
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
    odd = [r for r in result if not isinstance(r, dict)]
    ctx.expect(
        not odd,
        "fetch_with_pool should return the decoded JSON of each response (a dict, from "
        f"fetch_json); {len(odd)} of the results were not dicts, e.g. {odd[0] if odd else None!r}.",
    )
    got = [_id_of(r) for r in result]
    ctx.expect(
        got == ids,
        f"The results are not in the order of the URLs: ids came back as {_short(got, 16)}; the "
        f"URLs asked for {_short(ids, 16)}. The workers finish in any order, so remember where "
        "each result belongs: queue (index, url) pairs and store each result at its index.",
        "Queue `(index, url)` pairs, make `results = [None] * len(urls)` before starting the "
        "workers, and let each worker store `results[index] = ...`.",
    )
    peak = stats.peak_in_flight
    ctx.expect(
        peak <= workers,
        f"The lab service saw {peak} requests in flight at once with workers={workers}: more "
        f"than {workers} in flight. Start exactly `workers` worker tasks, each fetching one URL "
        "at a time, rather than a task (or a gather) per URL.",
        POOL_HINT,
    )
    _too_many_tasks(ctx, "fetch_with_pool", workers, len(urls))
    most = max(watch.taken.values(), default=0)
    ctx.expect(
        most >= len(urls),
        (
            "No asyncio.Queue handed out the URLs (nothing was taken from a queue with get() or "
            "get_nowait()). The task is a pool of workers sharing one asyncio.Queue: put every "
            "URL into it, and let each worker take its next URL from it."
            if most == 0
            else f"The URLs were spread over {len(watch.taken)} queues (at most {most} of the "
            f"{len(urls)} taken from any one of them): one queue per worker splits the work in "
            "advance, and a worker with slow URLs holds up its share while the others idle. Put "
            "every URL into one queue that all the workers share."
        ),
        POOL_HINT,
    )
    ctx.expect(
        peak == workers,
        f"At most {peak} request(s) were in flight at once with workers={workers}: the workers "
        "did not work side by side. Start all the worker tasks first (create_task or a "
        "TaskGroup) and only then wait for them.",
    )

    # Again, on fresh inputs: more workers than URLs, none, one, a URL listed twice, and
    # generated ones. Nothing may hang or be left running, and state from the calls
    # before (a results list or queue kept outside the function) must not show.
    for case_ids, n_workers in fixed + [c for c in generated if c not in fixed]:
        lab.reset()
        case_urls = [lab.url(f"/items/{i}", delay=_pool_delay(i)) for i in case_ids]
        where = f"fetch_with_pool({len(case_urls)} URLs for items {case_ids}, workers={n_workers})"
        result = await _call(ctx, fetch_with_pool, case_urls, n_workers, where=where, stuck=POOL_STUCK)
        stats = lab.stats()
        got = [_id_of(r) for r in result] if isinstance(result, list) else result
        right = isinstance(result, list) and len(result) == len(case_ids) and all(
            _is_item(r, i) for r, i in zip(result, case_ids, strict=True)
        )
        why = "."
        if len(set(case_ids)) < len(case_ids):
            why = " (a URL listed twice has its body at both of its places)."
        if isinstance(got, list) and len(got) > len(case_ids):
            why += (
                " Is something kept from an earlier call (a list or queue defined outside the "
                "function, a mutable default argument)? Make everything a call needs inside it."
            )
        ctx.expect(
            right,
            f"{where} returned {_short(got, 10) if isinstance(got, list) else repr(got)[:200]}; "
            f"expected the items {case_ids} in this order{why}",
        )
        wanted = Counter(case_ids)
        bad = {i: stats.by_path.get(f"/items/{i}", 0) for i in wanted}
        bad = {i: c for i, c in bad.items() if not 1 <= c <= wanted[i]}
        ctx.expect(not bad, f"{where}: these items were requested this many times: {bad}; each URL once.")
        ctx.expect(
            stats.peak_in_flight <= n_workers,
            f"{where}: {stats.peak_in_flight} requests were in flight at once, more than workers={n_workers}.",
            POOL_HINT,
        )
        _too_many_tasks(ctx, "fetch_with_pool", n_workers, len(case_urls), where)
    return (
        f"{len(ids)} URLs fetched exactly once by {len(tasks)} worker tasks sharing one queue, "
        f"results in order, {peak} in flight at most (= workers); {len(fixed) + len(generated)} "
        "more calls (no URLs, one URL, more workers than URLs, a repeated URL, other pool sizes) "
        "also right, and no worker ever left running."
    )


# --------------------------------------------------------------------------- 3.2
class _WatchedQueue(asyncio.Queue):  # type: ignore[type-arg]
    """An asyncio.Queue that records what was put into it, how full it got and how often put()
    had to wait."""

    def __init__(self, maxsize: int = 0) -> None:
        super().__init__(maxsize)
        self.peak = 0
        self.puts: list[Any] = []
        self.waited = 0  # put() calls that found the queue full and had to wait

    def put(self, item: Any) -> Any:
        # A plain method that returns asyncio's own put() coroutine: a task waiting here is
        # seen (and reported on a hang) as waiting in Queue.put(), in the learner's line.
        if self.full():
            self.waited += 1
        return super().put(item)

    def put_nowait(self, item: Any) -> None:  # put() ends here too
        super().put_nowait(item)
        self.puts.append(item)
        self.peak = max(self.peak, self.qsize())


def _holds_item(value: Any) -> bool:
    """A fetched item (a dict), or a tuple that carries one, e.g. (index, item)."""
    return isinstance(value, dict) or (isinstance(value, tuple | list) and any(isinstance(x, dict) for x in value))


PIPELINE_STUCK = {
    "Queue.get()": (
        "In a pipeline, a stage waiting in get() is waiting for a stop signal: each fetcher "
        "needs one of its own (as many sentinels as there are fetchers, `workers` of them), and "
        "the saver gets its sentinel only after every fetcher has stopped."
    ),
    "Queue.put()": (
        "A stage waiting in put() on a full queue waits for the next stage to take an item: "
        "did that stage stop early (because its queue looked empty for a moment, or on a "
        "sentinel meant for another stage)?"
    ),
}
SENTINEL_HINT = (
    "Stop stage by stage: after the last URL the producer puts one sentinel per fetcher "
    "(`workers` of them); when every fetcher has stopped (an inner TaskGroup around the "
    "fetchers has ended), one sentinel goes to the saver."
)


async def _pipeline(
    ctx: CheckContext, fn: Callable[..., Any], ids: list[int], *, workers: int, maxsize: int,
    save_time: float, delay: float, where: str = "",
) -> dict[str, Any]:
    """One call of fetch_and_save with watched queues and a slow save; what it did."""
    lab = ctx.lab
    lab.reset()
    urls = [lab.url(f"/items/{i}", delay=delay) for i in ids]
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

    result = await _call(
        ctx, fn, urls, save, workers=workers, maxsize=maxsize, make_queue=make_queue, where=where, stuck=PIPELINE_STUCK
    )
    return {"result": result, "stats": lab.stats(), "queues": queues, "saves": saves, "busy": busy["most"], "urls": urls}


def _judge_saves(ctx: CheckContext, run: dict[str, Any], ids: list[int], maxsize: int, where: str = "") -> Counter[Any]:
    at = f" ({where})" if where else ""
    counted = Counter(i for i, _ in run["saves"])
    twice = {i: c for i, c in counted.items() if c > 1}
    ctx.expect(
        not twice,
        f"Some items were saved more than once (id: times){at}: {twice}. Each URL should pass "
        "through the pipeline once: queue it once, and let exactly one fetcher take it.",
    )
    lost = [i for i in ids if i not in counted]
    ctx.expect(
        not lost,
        f"{len(lost)} of the {len(ids)} items were never saved (ids {_short(lost)}){at}: they got "
        "lost between the stages. Did a stage stop because its queue was empty for a moment, or "
        "drop items with put_nowait() when a queue was full? Use `await queue.put(item)`, which "
        "waits for room, and stop a stage only on the stop signal from the stage before it, sent "
        "after all its work is done.",
        SENTINEL_HINT,
    )
    strange = sorted(set(counted) - set(ids), key=str)
    ctx.expect(not strange, f"save() received things that are not the fetched items{at}: {_short(strange)}. Pass it each item's JSON (a dict).")
    result = run["result"]
    ctx.expect(
        result == len(ids),
        f"fetch_and_save returned {result!r}{at}; it should return how many items it saved "
        f"({len(ids)})" + (
            ". Is the count kept outside the function (a global, an attribute), so that it "
            "carries over from an earlier call? Count inside the call."
            if isinstance(result, int) and result > len(ids)
            else "."
        ),
    )
    ctx.expect(
        run["busy"] <= 1,
        f"save() was running {run['busy']} times at once{at}. The store takes one write at a "
        "time: call save() from a single saver task, awaiting each call before the next.",
    )
    queues = run["queues"]
    ctx.expect(
        queues or not ids,
        f"fetch_and_save created no queue with make_queue(){at}, so the check cannot see your "
        "queues. Create every queue with the factory you are given: `make_queue(maxsize)`.",
    )
    for n, q in enumerate(queues, start=1):
        ctx.expect(
            q.maxsize > 0,
            f"Queue {n} of {len(queues)} was created unbounded (make_queue() without a maxsize, or "
            f"maxsize=0){at}: it grew to {q.peak} items while the saver lagged behind. Create it "
            "with make_queue(maxsize) so that a full queue makes the stage before it wait.",
        )
        ctx.expect(
            q.maxsize <= maxsize,
            f"Queue {n} was created with maxsize={q.maxsize}, more than the maxsize={maxsize} "
            f"fetch_and_save was given{at}. Use the maxsize argument.",
        )
    return counted


@task("3.2")
async def check_fetch_and_save(ctx: CheckContext) -> str:
    fetch_and_save = ctx.function()
    workers, maxsize, save_time = 3, 3, 0.06
    ids = list(range(60, 84))  # 24 items: fetching alone would take ~0.8 s, saving takes ~1.45 s
    run = await _pipeline(ctx, fetch_and_save, ids, workers=workers, maxsize=maxsize, save_time=save_time, delay=0.1)
    stats, queues = run["stats"], run["queues"]
    _judge_saves(ctx, run, ids, maxsize)

    peak = stats.peak_in_flight
    ctx.expect(
        peak <= workers,
        f"The lab service saw {peak} requests in flight at once with workers={workers}: fetch "
        "with exactly `workers` fetcher tasks, each taking one URL at a time from the first "
        "queue, not a task per URL.",
    )
    url_queues = [q for q in queues if sum(not _holds_item(x) for x in q.puts) >= len(ids)]
    ctx.expect(
        url_queues,
        "The URLs never went through a queue from make_queue(): the producer should put every "
        "URL into the first queue, and the fetchers take their URLs from it (that queue is what "
        "slows the producer down when the fetchers are busy).",
    )
    item_queues = [q for q in queues if sum(_holds_item(x) for x in q.puts) >= len(ids)]
    ctx.expect(
        item_queues,
        "The fetched items never went through a queue from make_queue(): the fetchers should "
        "put each item into a second queue, made with `make_queue(maxsize)` like every queue "
        "here, and the saver take them from it. A queue made otherwise (a plain "
        "`asyncio.Queue()` is unbounded) lets fetched items pile up in front of the slow saver.",
    )
    ctx.expect(
        peak == workers,
        f"At most {peak} request(s) were in flight at once with workers={workers}: start "
        "`workers` fetcher tasks that work side by side.",
    )

    # Did fetching keep pace with saving? When the k-th request started, at most
    # maxsize (queued for the saver) + workers (in the fetchers' hands) + 1 (being saved)
    # items could be fetched but not yet saved; allow one more for timing noise.
    starts = sorted(r["start"] for r in stats.for_route("items"))
    save_times = sorted(t for _, t in run["saves"])
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

    # Other pipeline sizes, no URLs and one URL: the stop signals must follow `workers`,
    # the queues `maxsize`, and nothing may carry over from the call before.
    more = [(list(range(200, 207)), 5, 2), ([], 2, 2), ([211], 1, 1), (list(range(220, 229)), 2, 1)]
    for case_ids, n_workers, n_max in more:
        where = f"fetch_and_save({len(case_ids)} URLs, save, workers={n_workers}, maxsize={n_max})"
        case = await _pipeline(ctx, fetch_and_save, case_ids, workers=n_workers, maxsize=n_max, save_time=0.01, delay=0.03, where=where)
        _judge_saves(ctx, case, case_ids, n_max, where)
        ctx.expect(
            case["stats"].peak_in_flight <= n_workers,
            f"{where}: {case['stats'].peak_in_flight} requests were in flight at once, more than workers={n_workers}.",
        )
    peaks = ", ".join(str(q.peak) for q in queues)
    return (
        f"{len(ids)} items saved once each, one save at a time, {peak} fetches at once; queue "
        f"depths peaked at {peaks} (bound {maxsize}), put() waited {waited} times for room, and "
        f"fetching stayed at most {ahead} items ahead of saving; {len(more)} more calls (other "
        "pool and queue sizes, no URLs, one URL) also right."
    )


# --------------------------------------------------------------------------- 3.3
FIND_STUCK = {
    "Queue.get()": (
        "A worker waiting in `await queue.get()` when the queue is empty waits forever: here all "
        "the URLs are queued up front, so stop a worker when `queue.get_nowait()` raises "
        "asyncio.QueueEmpty."
    ),
}
KEEP_GOING_HINT = (
    "A worker that catches CancelledError (a bare `except:`, `except BaseException:` or "
    "`except asyncio.CancelledError:` without `raise`) cannot be stopped: the cancellation "
    "arrives, is swallowed, and the loop takes the next URL. Catch only what a request can fail "
    "with (`except aiohttp.ClientError:`), or raise the CancelledError again."
)
TASKGROUP_WAITS_HINT = (
    "Leaving an `async with asyncio.TaskGroup()` block, with `return` or otherwise, waits for "
    "every task in it; the group cancels its tasks only when one of them raises. So the worker "
    "that finds the item raises an exception of your own (`raise Found(item)`), and "
    f"`except* Found` around the block takes the item out ({STOP_FROM_INSIDE})."
)
NO_CANCEL_HINT = (
    "Stopping the workers between URLs is not enough: the requests they have in flight must be "
    "cancelled too. Cancel the worker tasks (and await them), or raise an exception of your own "
    f"inside a TaskGroup, which cancels the other tasks for you ({STOP_FROM_INSIDE})."
)


@task("3.3")
async def check_find_first(ctx: CheckContext) -> str:
    find_first = ctx.function()
    lab = ctx.lab
    generated = examples(
        st.tuples(st.lists(st.integers(0, 30), max_size=7), st.integers(1, 4), st.sampled_from(["none", "last", "first", "all"])),
        5,
    )
    workers, target = 4, 107
    # The first four URLs go to the four workers at once: two take 3 s, one 1.2 s, and the
    # fourth worker goes through fast items and finds item 107 at about 0.35 s, while the
    # three others are in the middle of their requests. Thirteen URLs are still queued then.
    medium = 111
    fast = [100, 113, 108, target, 118, 101, 116, 103, 110, 114, 104, 119, 106, 117, 109, 112, 115]
    plan = [(102, 3.0), (105, 3.0), (medium, 1.2)] + [(i, round(0.06 + 0.01 * (n % 5), 2)) for n, i in enumerate(fast)]
    urls = [lab.url(f"/items/{i}", delay=d) for i, d in plan]

    def wanted(item: Any) -> bool:
        return _id_of(item) == target

    started = time.monotonic()
    result = await _call(ctx, find_first, urls, workers, wanted, stuck=FIND_STUCK)
    elapsed = time.monotonic() - started
    stats = lab.stats()

    ctx.expect(
        _is_item(result, target),
        f"find_first returned {result!r}"[:300] + f"; the wanted item is the one with id {target} "
        "(return the item itself, the dict for which wanted(item) is true).",
    )
    ctx.expect(
        stats.peak_in_flight <= workers,
        f"The lab service saw {stats.peak_in_flight} requests in flight at once with "
        f"workers={workers}: start exactly `workers` workers, each fetching one URL at a time.",
        POOL_HINT,
    )
    _too_many_tasks(ctx, "find_first", workers, len(urls))
    answer = next((r for r in stats.requests if r["path"] == f"/items/{target}"), None)
    ctx.expect(answer is not None, f"find_first returned item {target} without ever requesting it.")
    found_at = answer["end"]
    in_flight = [
        r for r in stats.requests
        if r is not answer and r["start"] < found_at and (r["end"] is None or r["end"] > found_at)
    ]
    late = [r for r in stats.requests if r["start"] > found_at]
    # Answered well after the answer had arrived (not a request that happened to end with it).
    finished = [r for r in in_flight if r["outcome"] == "ok" and r["end"] - found_at > 0.25]
    if finished:
        names = ", ".join(f"{r['path']} ({r['end'] - found_at:.1f} s later)" for r in finished)
        uses_taskgroup = "TaskGroup" in _source(find_first)
        why = (
            " Leaving an `async with asyncio.TaskGroup()` block (with `return` or otherwise) does "
            "not cancel its tasks: it waits for them. A TaskGroup cancels its tasks only when one "
            "of them raises: raise an exception of your own in the worker that finds the item, "
            f"and catch it with `except* ...` around the block ({STOP_FROM_INSIDE})."
            if uses_taskgroup
            else " Stop the pool as soon as one worker finds the item: cancel the other worker "
            "tasks and await them, or raise an exception of your own inside a TaskGroup "
            f"({STOP_FROM_INSIDE})."
        )
        raise CheckFailed(
            f"find_first took {elapsed:.1f} s: the requests in flight when item {target} arrived "
            f"ran to the end ({names}) instead of being cancelled.{why}",
            TASKGROUP_WAITS_HINT if uses_taskgroup else NO_CANCEL_HINT,
        )
    if len(late) > 1:
        cancelled = [r for r in in_flight if r["outcome"] == "cancelled"]
        why = (
            "The requests that were in flight did end early, so your workers were cancelled, "
            "but they went on: a worker that catches CancelledError (a bare `except:`, `except "
            "BaseException:`) and takes the next URL cannot be stopped. Let CancelledError "
            "through: catch only what a request can fail with, or raise it again."
            if cancelled
            else "Stop every worker when the answer is found: cancel their tasks, or raise an "
            f"exception of your own inside a TaskGroup so that it cancels them ({STOP_FROM_INSIDE})."
        )
        raise CheckFailed(
            f"The pool kept fetching after item {target} had arrived: {len(late)} requests "
            f"started afterwards ({_short([r['path'] for r in late], 4)}). {why}",
            KEEP_GOING_HINT if cancelled else NO_CANCEL_HINT,
        )

    # Nothing matches: every URL fetched once, None returned.
    lab.reset()
    none_ids = [134, 130, 137, 131, 136, 133, 135, 132]
    where = f"find_first({len(none_ids)} URLs, workers=3, wanted) where no item is wanted"
    result = await _call(ctx, find_first, [lab.url(f"/items/{i}", delay=0.05) for i in none_ids], 3, lambda item: False, where=where, stuck=FIND_STUCK)
    stats = lab.stats()
    missing, repeated = _item_counts(stats, none_ids)
    ctx.expect(
        result is None,
        f"When no item is wanted, find_first should return None after fetching every URL; it returned {result!r}."[:400],
    )
    ctx.expect(
        not missing and not repeated,
        f"When no item is wanted every URL should be fetched exactly once; missing: "
        f"{missing or 'none'}, repeated (id: times): {repeated or 'none'}.",
    )

    # Generated cases: no URLs, one, repeated ids; the wanted item first, last, everywhere or
    # nowhere; pools of 1 to 4. Nothing may hang, be left running, or carry over.
    fixed = [([], 2, "none"), ([21], 1, "last"), ([9, 14, 9, 5], 2, "last"), ([3, 8, 12, 17, 22], 2, "last")]
    for case_ids, n_workers, rule in fixed + [c for c in generated if c not in fixed]:
        lab.reset()
        targets = {
            "none": set(), "all": set(case_ids),
            "first": set(case_ids[:1]), "last": set(case_ids[-1:]),
        }[rule]
        where = f"find_first(URLs of items {case_ids}, workers={n_workers}, wanted) where wanted(item) is true for " + (
            f"items {sorted(targets)}" if targets else "no item"
        )
        result = await _call(
            ctx, find_first, [lab.url(f"/items/{i}", delay=0.03) for i in case_ids], n_workers,
            lambda item, targets=targets: _id_of(item) in targets, where=where, stuck=FIND_STUCK,
        )
        stats = lab.stats()
        if targets:
            ctx.expect(
                isinstance(result, dict) and any(_is_item(result, i) for i in targets),
                f"{where} returned {result!r}"[:400] + f"; expected the item (dict) with id "
                f"{' or '.join(map(str, sorted(targets)))}" + (
                    ", which is the last URL: a pool that gives up before the queue is empty "
                    "misses it." if rule == "last" else "."
                ),
            )
        else:
            missing, repeated = _item_counts(stats, case_ids)
            ctx.expect(
                result is None and not missing,
                f"{where} returned {result!r}"[:300] + "; expected None, after fetching every URL"
                + (f" (never fetched: {missing})." if missing else "."),
            )
        ctx.expect(
            stats.peak_in_flight <= n_workers,
            f"{where}: {stats.peak_in_flight} requests were in flight at once, more than workers={n_workers}.",
        )
    return (
        f"item {target} found after {elapsed:.2f} s; the {len(in_flight)} requests in flight then "
        f"ended early with the worker tasks that made them, which stopped cancelled; {len(late)} "
        f"request(s) started afterwards; with no match it returned None after fetching every URL; "
        f"{len(fixed) + len(generated)} more calls (no URLs, one URL, repeated ids, the answer "
        "first or last) also right."
    )


# --------------------------------------------------------------------------- 3.4
CRAWL_STUCK = {
    "Queue.get()": (
        "In a crawler, fetchers waiting in get() are waiting for ids after the last pager "
        "finished: send one stop signal per fetcher, after every pager has finished."
    ),
    "Queue.put()": (
        "A pager waiting in put() on a full queue waits for a fetcher to take an id: did the "
        "fetchers stop early?"
    ),
}


def _url_error(exc: LearnerError) -> LearnerError:
    cause = exc.__cause__
    errors = leaves(cause) if cause is not None else []
    if any("url" in type(e).__name__.lower() for e in errors):
        return LearnerError(
            f"{exc} The `next` link of a page is a path like '/pages?page=2&...': turn it into a "
            "full URL with urljoin(url, page['next'])."
        )
    return exc


def _item_delay(item_id: int, base: float) -> float:
    """Item latencies differ (base, +0.03, +0.06 s), so that the items do not arrive in the
    order of their ids (the listings list them in that order)."""
    return round(base + 0.03 * (item_id * 2 % 3), 2)


async def _crawl(ctx: CheckContext, crawl: Callable[..., Any], listings: list[tuple[int, int]], workers: int, item_delay: float, where: str = "") -> tuple[Any, Any]:
    lab = ctx.lab
    lab.reset()
    starts = [lab.url("/pages", page=1, per_page=p, total=t, delay=0.06) for p, t in listings]

    def item_url(item_id: int) -> str:
        return lab.url(f"/items/{item_id}", delay=_item_delay(item_id, item_delay))

    try:
        result = await _call(ctx, crawl, starts, item_url, workers, where=where, stuck=CRAWL_STUCK)
    except LearnerError as exc:
        raise _url_error(exc) from exc.__cause__
    return result, lab.stats()


def _judge_crawl(ctx: CheckContext, result: Any, stats: Any, listings: list[tuple[int, int]], workers: int, item_delay: float, where: str = "") -> int:
    at = f" ({where})" if where else ""
    ids = list(range(1, max((t for _, t in listings), default=0) + 1))
    ctx.expect(isinstance(result, dict), f"crawl returned {type(result).__name__}{at}; expected a dict {{item id: item details}}.")
    missing_keys = [i for i in ids if i not in result]
    never = [i for i in missing_keys if not stats.by_path.get(f"/items/{i}")]
    why = (
        " The first call got all of its items, and these ids were listed there too: is something "
        "kept from an earlier call (a `seen` set or a queue defined outside the function)? Make "
        "everything a call needs inside it."
        if where and never == missing_keys
        else " Did the fetchers stop when the first listing ended? Send the stop signals only "
        "after every pager has finished."
    )
    ctx.expect(
        not missing_keys,
        f"{len(missing_keys)} of the {len(ids)} listed items are missing from the result (ids "
        f"{_short(missing_keys)}){at}.{why}",
    )
    wrong = [i for i in ids if not _is_item(result[i], i)]
    ctx.expect(
        not wrong,
        f"The result maps some ids to the wrong details (ids {_short(wrong)}){at}: store each "
        "item's JSON under its own id, `details[item_id] = await fetch_json(...)`.",
    )
    extra = [k for k in result if k not in ids]
    ctx.expect(not extra, f"The result has keys that are not listed item ids{at}: {_short(extra)}.")

    pages = Counter(
        tuple(int(r["query"].get(k, 0)) for k in ("per_page", "total", "page")) for r in stats.for_route("pages")
    )
    for per_page, total in listings:
        want = max(1, -(-total // per_page))
        got = sorted(p for (pp, t, p), _ in pages.items() if (pp, t) == (per_page, total))
        twice = sorted(p for (pp, t, p), c in pages.items() if (pp, t) == (per_page, total) and c > 1)
        ctx.expect(
            not twice,
            f"The listing of {total} items ({per_page} per page) had page(s) {twice} requested "
            f"more than once{at}: walk each listing once.",
        )
        ctx.expect(
            got == list(range(1, want + 1)),
            f"Of the listing of {total} items ({per_page} per page, {want} page(s)) the crawler "
            f"requested pages {got}{at}. Follow each page's `next` link until it is null.",
        )
    missing, repeated = _item_counts(stats, ids)
    ctx.expect(
        not repeated,
        f"Some items were fetched more than once (id: times){at}: {repeated}. Items appear "
        "in several listings; keep a set of the ids already queued and queue each one once.",
    )
    ctx.expect(not missing, f"Items {_short(missing)} were never fetched{at}.")
    foreign = [
        r["path"] for r in stats.for_route("items")
        if r["query"].get("delay") != str(_item_delay(int(r["path"].rsplit("/", 1)[-1]), item_delay))
    ]
    ctx.expect(
        not foreign,
        f"Some item requests did not use the URL that item_url(item_id) gives ({_short(foreign, 3)}){at}: "
        "fetch each item's details with `fetch_json(session, item_url(item_id))`.",
    )
    item_peak = stats.peak("items")
    ctx.expect(
        item_peak <= workers,
        f"The lab service saw {item_peak} item requests in flight at once with workers={workers}{at}. "
        "Fetch the items with exactly `workers` fetcher tasks, not a task (or a gather) per "
        "item or per page.",
    )
    return item_peak


@task("3.4")
async def check_crawl(ctx: CheckContext) -> str:
    crawl = ctx.function()
    workers = 3
    # Three listings of the same catalogue: items 1..20; ids 1..12 appear more than once.
    listings = [(4, 12), (5, 20), (3, 6)]  # (per_page, total)
    result, stats = await _crawl(ctx, crawl, listings, workers, 0.06)
    item_peak = _judge_crawl(ctx, result, stats, listings, workers, 0.06)
    n_pages = len(stats.for_route("pages"))
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
    # Again with other shapes: one listing of one page beside an empty one, a single
    # listing with one fetcher, more fetchers than items, and no listing at all.
    more = [([(5, 4), (3, 0)], 2), ([(2, 7)], 1), ([(10, 3), (2, 3)], 5), ([], 2)]
    for case, n_workers in more:
        shape = ", ".join(f"{-(-t // p) if t else 1} page(s) listing {t} items" for p, t in case) or "no listing"
        where = f"crawl({len(case)} start URL(s): {shape}; workers={n_workers})"
        result, stats = await _crawl(ctx, crawl, case, n_workers, 0.02, where)
        _judge_crawl(ctx, result, stats, case, n_workers, 0.02, where)
    return (
        f"{n_pages} pages and 20 items each requested once, at most {item_peak} item requests "
        f"at once, items fetched while the listings were still being walked; {len(more)} more "
        "calls (an empty listing, one fetcher, more fetchers than items, no listing) also right."
    )
