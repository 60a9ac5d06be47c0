"""Checks for module 06: blocking and CPU-bound work, and the bridges to sync code.

The checks hand the learner's code instrumented stand-ins and judge what they saw, rather
than stopwatch times: a module-level function that notes which process and thread ran each
call and when (it can be sent to a process pool's workers), a blocking function that counts
how many of its calls run at once and on which threads, a price feed and a queue that note
which thread called them, aiohttp sessions counted as they are made, a SQLite trigger that
notes when each document was stored. Around them: the lab service's own timeline, the
processes and threads alive before and after, and ctx.run's verdicts on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import random
import sqlite3
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import aiohttp

from asynclab import workloads
from asynclab.checking import CheckContext, CheckFailed, LearnerError, describe_error, task
from exercises_tests.helpers import examples, item_value, named


# --------------------------------------------------------------------------- shared
def _usable_cores() -> int:
    """The CPUs this process may run on (its affinity where the OS tells, else the count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _peak(intervals: list[tuple[float, float]]) -> int:
    """How many of these (start, end) intervals were open at once, at most (an end at the
    same moment as a start comes first: touching intervals do not overlap)."""
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    level = best = 0
    for _, delta in events:
        level += delta
        best = max(best, level)
    return best


@dataclass
class _Call:
    pid: int
    thread: int
    start: float
    end: float
    thread_name: str


class _Traced:
    """``fn(item)`` that also notes the process, the thread and the time of each call in a
    log file. An instance of a module-level class: a process pool's workers can unpickle it
    (they import this module), which a function defined in a notebook cell would not allow.
    ``pause`` adds that many seconds (time.sleep) after the work, for a steady duration."""

    def __init__(self, fn: Callable[[Any], Any], log: str, pause: float = 0.0) -> None:
        self.fn = fn
        self.log = log
        self.pause = pause
        self.__name__ = getattr(fn, "__name__", "fn")

    def __call__(self, item: Any) -> Any:
        start = time.monotonic()
        result = self.fn(item)
        if self.pause:
            time.sleep(self.pause)
        end = time.monotonic()
        line = (f"{os.getpid()} {threading.get_ident()} {start!r} {end!r} "
                f"{threading.current_thread().name}\n")
        fd = os.open(self.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode())  # one write in append mode: lines never mix
        finally:
            os.close(fd)
        return result

    def calls(self) -> list[_Call]:
        try:
            with open(self.log, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            pid, tid, start, end, name = (line.split(" ", 4) + [""])[:5]
            out.append(_Call(int(pid), int(tid), float(start), float(end), name))
        return out


def _children() -> set[int]:
    """The pids of this process's live child processes (multiprocessing's, incl. pool workers)."""
    return {p.pid for p in multiprocessing.active_children() if p.pid is not None}


def _threads() -> dict[int, threading.Thread]:
    """The live threads. Read without taking threading's lock (which would let other threads
    run meanwhile, e.g. finish exiting): what was alive at this very moment."""
    active = getattr(threading, "_active", None)
    found = list(active.values()) if isinstance(active, dict) else threading.enumerate()
    return {t.ident: t for t in found if t.ident is not None}


def _show(values: list[Any], limit: int = 8) -> str:
    text = repr(values[:limit])
    return text[:-1] + ", ...]" if len(values) > limit else text


async def _stats(ctx: CheckContext) -> Any:
    return await asyncio.to_thread(ctx.lab.stats)


# --------------------------------------------------------------------------- 6.1 cpu_map
HEAVY = [30_000, 12_000, 34_000, 8_000, 30_000, 22_000, 15_000, 27_000]
HEAVY_PRIMES = [3245, 1438, 3638, 1007, 3245, 2464, 1754, 2961]  # count_primes of each
OTHER = [5, 3, 5, 1]  # document ids, for a call with another function

GIL_HINT = (
    "Threads share one GIL: pure-Python work in threads (to_thread, run_in_executor(None, "
    "...), a ThreadPoolExecutor) takes turns on one core. Use a ProcessPoolExecutor: "
    "`loop.run_in_executor(_pool, fn, item)`."
)
POOL_HINT = (
    "Create the pool once, outside the calls: `if _pool is None: _pool = ProcessPoolExecutor()` "
    "(with `global _pool` first), and never `with ProcessPoolExecutor() as pool:` inside "
    "cpu_map: leaving the block shuts the pool down."
)


@task("6.1")
async def check_cpu_map(ctx: CheckContext) -> str:
    cpu_map = ctx.function()
    kernel, loop_thread = os.getpid(), threading.get_ident()
    cores = _usable_cores()
    from hypothesis import strategies as st  # here: a pool's workers import this module

    small = examples(st.lists(st.integers(0, 3000), max_size=5), 4)  # [] and one item first
    with tempfile.TemporaryDirectory(prefix="asynclab-06-") as tmp:
        logs = iter(range(100))

        def traced(fn: Callable[[Any], Any]) -> _Traced:
            return _Traced(fn, os.path.join(tmp, f"calls{next(logs)}.log"))

        def where(calls: list[_Call], what: str) -> None:
            """Fail when some calls ran in the kernel's own process."""
            inline = [c for c in calls if c.pid == kernel and c.thread == loop_thread]
            threaded = [c for c in calls if c.pid == kernel and c.thread != loop_thread]
            ctx.expect(
                not inline,
                f"{what}: {len(inline)} of the {len(calls)} calls ran on the event loop's own "
                "thread: each one blocked the event loop while it computed. Hand them to the "
                "process pool with `loop.run_in_executor(_pool, fn, item)`.",
            )
            names = sorted({c.thread_name for c in threaded})
            ctx.expect(
                not threaded,
                f"{what}: {len(threaded)} of the {len(calls)} calls ran in threads of the kernel's "
                f"own process ({', '.join(names[:3])}), not in worker processes. The loop stayed "
                "free, but pure-Python work holds the GIL, so those threads took turns on one core: "
                "no faster than one call after another. " + GIL_HINT,
                hint=GIL_HINT,
            )

        # 0. One small call first: the pool is made here (a pool sized by this call would be
        #    too small for what follows). Then calls that sleep in the workers for a moment, so
        #    that a pool which starts its workers on demand (spawn, forkserver) has them all
        #    running before the CPU-heavy calls.
        async def call(fn: _Traced, items: list[Any]) -> Any:
            result = await cpu_map(fn, items)
            ctx.no_awaitable(result, "cpu_map")
            return result

        warm = traced(workloads.count_primes)
        got = await ctx.run(named(call(warm, [2_000]), "cpu_map"), allow_busy=True)
        ctx.expect(
            isinstance(got, (list, tuple)) and list(got) == [workloads.count_primes(2_000)],
            f"cpu_map(count_primes, [2000]) returned {got!r}; expected "
            f"[{workloads.count_primes(2_000)}].",
        )
        where(warm.calls(), "cpu_map(count_primes, [2000])")
        opened = {c.pid for c in warm.calls()}
        ctx.expect(
            opened <= _children(),
            "After cpu_map returned, the worker process that had done its work was gone: the "
            "pool was shut down at the end of the call, and the next call must start new "
            "workers (slow). " + POOL_HINT,
            hint=POOL_HINT,
        )
        naps = [0.1] * max(2, min(cores, 4))
        napper = traced(time.sleep)
        got = await ctx.run(named(call(napper, naps), "cpu_map"), allow_busy=True)
        ctx.expect(
            isinstance(got, (list, tuple)) and list(got) == [None] * len(naps),
            f"cpu_map(time.sleep, {naps}) returned {got!r}; expected {[None] * len(naps)}.",
        )
        where(napper.calls(), f"cpu_map(time.sleep, {naps})")

        # The CPU-heavy calls' driver: a probe task notes when the loop runs meanwhile.
        heavy = traced(workloads.count_primes)
        ticks: list[float] = []

        async def first() -> Any:
            async def probe() -> None:
                while True:
                    ticks.append(time.monotonic())
                    await asyncio.sleep(0.01)

            prober = asyncio.create_task(probe())
            try:
                result = await cpu_map(heavy, list(HEAVY))
            finally:
                prober.cancel()
                await asyncio.gather(prober, return_exceptions=True)
            ctx.no_awaitable(result, "cpu_map")
            return result

        # 1. Eight CPU-heavy calls; a probe task notes when the loop runs meanwhile. (Busy is
        #    judged by where the calls ran: CPU work on the loop's thread is named as such.)
        before = _children()
        got = await ctx.run(named(first(), "cpu_map"), allow_busy=True)
        alive = _children()
        calls = heavy.calls()
        ctx.expect(
            isinstance(got, (list, tuple)) and list(got) == HEAVY_PRIMES,
            f"cpu_map(count_primes, {HEAVY}) returned {got!r}; expected {HEAVY_PRIMES}: one "
            "result per item, in the order of the items (asyncio.gather keeps it; "
            "as_completed does not).",
        )
        where(calls, f"cpu_map(count_primes, {len(HEAVY)} limits)")
        workers = [c for c in calls if c.pid != kernel]
        ctx.expect(workers, f"cpu_map(count_primes, {HEAVY}) never called the function it was given.")
        pids = {c.pid for c in workers}
        start, end = min(c.start for c in workers), max(c.end for c in workers)
        during = [t for t in ticks if start < t < end]
        ctx.expect(
            during or end - start < 0.05,
            f"cpu_map blocked the event loop while the worker processes computed ({end - start:.2f} "
            "s): the loop did not run at all meanwhile, so cpu_map waited for them with a blocking "
            "call (`future.result()`, `_pool.map(...)`, `concurrent.futures.wait`...). Await the "
            "asyncio futures of `loop.run_in_executor` instead (asyncio.gather).",
        )
        peak = _peak([(c.start, c.end) for c in workers])
        if cores >= 2:
            ctx.expect(
                peak >= 2,
                f"cpu_map's {len(HEAVY)} calls ran one at a time (never two at once, in "
                f"{len(pids)} worker process(es)), although this machine has {cores} cores. "
                + ("They all ran in a single worker: was the pool made with max_workers=1, or "
                   "sized by a call with one item? `ProcessPoolExecutor()` starts one worker per "
                   "core. " if len(pids) == 1 else "")
                + "Hand every call to the pool before awaiting any (make all the run_in_executor "
                "futures, then gather them).",
                hint="Awaiting each `run_in_executor` before making the next one runs one call at a "
                "time. Make the list of futures first, then `await asyncio.gather(*futures)`.",
            )
        ctx.expect(
            not pids <= alive - before,
            f"cpu_map(count_primes, {len(HEAVY)} limits) ran in {len(pids)} worker process(es) all "
            "started during that very call: cpu_map made a new pool instead of reusing the one it "
            "made before. " + POOL_HINT,
            hint=POOL_HINT,
        )
        gone = pids - alive
        ctx.expect(
            not gone,
            f"After cpu_map returned, {len(gone)} of the {len(pids)} worker processes that had "
            "done its work were gone: the pool was shut down at the end of the call, and the next "
            "call must start new workers (slow). " + POOL_HINT,
            hint=POOL_HINT,
        )

        # 2. Later calls: other inputs, another function; they must reuse the running workers.
        later: list[tuple[str, list[Any], list[Any], _Traced]] = [
            (f"cpu_map(document, {OTHER})", list(OTHER),
             [workloads.document(i) for i in OTHER], traced(workloads.document)),
        ] + [
            (f"cpu_map(count_primes, {items})", list(items),
             [workloads.count_primes(n) for n in items], traced(workloads.count_primes))
            for items in small
        ]
        for label, items, want, fn in later:
            before = _children()

            try:
                got = await ctx.run(named(call(fn, items), "cpu_map"), allow_busy=True)
            except LearnerError as exc:
                if exc.__cause__ is None:
                    raise
                raise CheckFailed(f"{label} raised {describe_error(exc.__cause__)}") from exc.__cause__
            ctx.expect(
                isinstance(got, (list, tuple)) and list(got) == want,
                f"{label} returned {_show(list(got)) if isinstance(got, (list, tuple)) else repr(got)[:200]}; "
                f"expected {_show(want)}: [fn(item) for item in items], in order"
                + (" (an empty list for no items)." if not items else "."),
            )
            calls = fn.calls()
            where(calls, label)
            used = {c.pid for c in calls if c.pid != kernel}
            new = used - before
            ctx.expect(
                not used or new != used,  # a pool that grows on demand may add a worker
                f"{label} ran in {len(new)} worker process(es) started during that very call: "
                "cpu_map made a new pool instead of reusing the one it made before. " + POOL_HINT,
                hint=POOL_HINT,
            )
    work = sum(c.end - c.start for c in workers)
    spread = (
        f"up to {peak} at once ({work:.2f} s of work in {end - start:.2f} s)" if cores >= 2
        else "(one core here: calls at once not checked)"
    )
    return (
        f"{len(HEAVY)} CPU-heavy calls in {len(pids)} worker processes, {spread}; the loop kept "
        f"running; {len(later) + 2} other calls (empty, one item, other functions) used the same "
        "pool."
    )


# --------------------------------------------------------------------------- 6.2 blocking_map
def _default_threads() -> int:
    """How many threads asyncio's default executor has here (what ThreadPoolExecutor() picks)."""
    pool = ThreadPoolExecutor()
    try:
        return pool._max_workers
    finally:
        pool.shutdown()


class _Blocking:
    """A blocking call that notes how many of its calls run at once, and on which threads."""

    def __init__(self, loop_thread: int) -> None:
        self.loop_thread = loop_thread
        self.lock = threading.Lock()
        self.running = self.peak = 0
        self.in_default = self.peak_default = 0
        self.on_loop = 0
        self.calls = 0
        self.thread_names: set[str] = set()
        self.spans: list[tuple[float, float]] = []  # (start, end) of each call
        self.__name__ = "lookup"

    def __call__(self, key: int) -> str:
        me = threading.current_thread()
        default = me.name.startswith("asyncio_")  # the loop's default executor names them so
        with self.lock:
            self.calls += 1
            self.running += 1
            self.peak = max(self.peak, self.running)
            self.thread_names.add(me.name)
            if me.ident == self.loop_thread:
                self.on_loop += 1
            if default:
                self.in_default += 1
                self.peak_default = max(self.peak_default, self.in_default)
        start = time.monotonic()
        try:
            time.sleep(0.03 + 0.05 * (key % 3))  # later keys can finish first
        finally:
            with self.lock:
                self.spans.append((start, time.monotonic()))
                self.running -= 1
                if default:
                    self.in_default -= 1
        return f"record {key}"


def _late_starts(spans: list[tuple[float, float]], limit: int, late: float = 0.045) -> tuple[int, int]:
    """(how many calls started late, out of how many had to wait for a free slot). With
    `limit` slots, the k-th call to start (k >= limit) can start once k - limit + 1 calls have
    ended; a pool of `limit` threads starts it at that very moment. Late: `late` s after."""
    starts = sorted(s for s, _ in spans)
    ends = sorted(e for _, e in spans)
    waits = [starts[k] - ends[k - limit] for k in range(limit, len(starts))]
    return sum(1 for w in waits if w > late), len(waits)


@task("6.2")
async def check_blocking_map(ctx: CheckContext) -> str:
    blocking_map = ctx.function()
    loop_thread = threading.get_ident()
    from hypothesis import strategies as st

    size = _default_threads()
    big = size + 2
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, int)  # the default executor exists from here on...
    default = getattr(loop, "_default_executor", None)  # ...in asyncio's own (private) attribute
    rng = random.Random(6)
    scenarios = [(rng.choices(range(40), k=2 * big + 1), big), (rng.choices(range(40), k=7), 3)] + examples(
        st.tuples(st.lists(st.integers(0, 30), max_size=7), st.integers(1, 4)), 3
    )
    summary = []
    in_default = 0
    for items, limit in scenarios:
        fn = _Blocking(loop_thread)

        before: dict[int, threading.Thread] = {}
        after: dict[int, threading.Thread] = {}
        ticks: list[float] = []

        async def call(fn: _Blocking = fn, items: list[int] = items, limit: int = limit,
                       before: dict[int, threading.Thread] = before,
                       after: dict[int, threading.Thread] = after, ticks: list[float] = ticks) -> Any:
            before.update(_threads())

            async def probe() -> None:  # notes when the event loop runs meanwhile
                while True:
                    ticks.append(time.monotonic())
                    await asyncio.sleep(0.01)

            prober = asyncio.create_task(probe())
            try:
                result = await blocking_map(fn, list(items), limit)
            finally:
                prober.cancel()
                await asyncio.gather(prober, return_exceptions=True)
            # The threads alive the moment it returned (a pool shut down with wait=True, as a
            # `with` block does, has ended them all by then).
            after.update(_threads())
            ctx.no_awaitable(result, "blocking_map")
            return result

        label = f"blocking_map(lookup, {_show(items, 6)}, limit={limit})"
        try:
            got = await ctx.run(named(call(), "blocking_map"))
        except LearnerError as exc:
            if exc.__cause__ is None:
                raise
            raise CheckFailed(f"{label} raised {describe_error(exc.__cause__)}") from exc.__cause__
        replaced = getattr(loop, "_default_executor", None) is not default
        if replaced:
            loop._default_executor = default  # type: ignore[attr-defined]  # put back for the kernel
        ctx.expect(
            not replaced,
            f"{label} replaced the event loop's default executor (loop.set_default_executor): "
            "that changes it for the whole program, and every other `to_thread` then shares "
            "(or loses) your pool. Keep the default executor as it is: make a pool of your own "
            "and pass it to `loop.run_in_executor(pool, fn, item)`.",
        )
        left = [t for ident, t in after.items() if ident not in before
                and not t.name.startswith("asyncio_")]  # the default executor's stay, by design
        want = [f"record {k}" for k in items]
        ctx.expect(
            fn.on_loop == 0,
            f"{label} made {fn.on_loop} of its calls on the event loop's own thread: each one "
            "stopped the loop for its whole duration. Run them in threads: "
            "`loop.run_in_executor(pool, fn, item)`.",
        )
        ctx.expect(
            isinstance(got, (list, tuple)) and list(got) == want,
            f"{label} returned {_show(list(got), 6) if isinstance(got, (list, tuple)) else repr(got)[:200]}; "
            f"expected {_show(want, 6)}: [fn(item) for item in items], in the order of the items "
            "(asyncio.gather keeps it).",
        )
        if fn.spans:
            first, last = min(a for a, _ in fn.spans), max(b for _, b in fn.spans)
            ctx.expect(
                last - first < 0.05 or any(first < t < last for t in ticks),
                f"{label} blocked the event loop while the calls ran ({last - first:.2f} s): the "
                "loop did not run at all meanwhile, so blocking_map waited with a blocking call "
                "(`pool.map(...)`, `future.result()`...). Await the asyncio futures of "
                "`loop.run_in_executor` instead (asyncio.gather).",
            )
        expected_peak = min(limit, len(items))
        ctx.expect(
            fn.peak <= limit,
            f"{label}: {fn.peak} calls ran at once, more than the limit of {limit}. Use a pool "
            f"of exactly `limit` threads (ThreadPoolExecutor(max_workers=limit)).",
        )
        ctx.expect(
            fn.peak_default < size,
            f"{label}: {fn.peak_default} of your calls ran at once in the loop's default "
            f"executor, which has {size} threads on this machine: they took every one of them, "
            "so any other `to_thread` in the program had to wait. Give the calls a thread pool of "
            "their own: `with ThreadPoolExecutor(max_workers=limit) as pool:` and "
            "`loop.run_in_executor(pool, fn, item)`.",
            hint="asyncio.to_thread and run_in_executor(None, ...) use the default executor, "
            f"shared by the whole program ({size} threads here). Make a ThreadPoolExecutor with "
            "`limit` threads for these calls and pass it to run_in_executor.",
        )
        if fn.peak < expected_peak:
            if fn.peak == 1:
                why = ("one at a time: each call was awaited before the next one was handed over. "
                       "Hand them all to the pool first, then gather the futures.")
            elif fn.thread_names and all(n.startswith("asyncio_") for n in fn.thread_names):
                why = (f"they ran in the loop's default executor, which has only {size} threads "
                       "here. Use a ThreadPoolExecutor(max_workers=limit) of your own.")
            else:
                why = ("use a pool of `limit` threads and hand every call to it before awaiting "
                       "any.")
            raise CheckFailed(
                f"{label}: at most {fn.peak} calls ran at once; with {len(items)} items and a limit "
                f"of {limit}, {expected_peak} should have: {why}"
            )
        slow, waited = _late_starts(fn.spans, limit)
        ctx.expect(
            fn.peak < expected_peak or slow < 2 or slow * 2 <= waited,
            f"{label}: {slow} of the {waited} calls that had to wait for a free thread started "
            "long after one was free: the calls ran in batches of `limit`, each batch waiting "
            "for its slowest call. Hand all the calls to a pool of `limit` threads at once (it "
            "starts the next call the moment a thread is free), or keep `limit` workers each "
            "taking the next item as soon as it is done.",
        )
        names = sorted({t.name for t in left})
        ctx.expect(
            not left,
            f"{label} left {len(left)} thread(s) running when it returned ({', '.join(names[:4])}): "
            "a thread pool that was not shut down, or not waited for (shutdown(wait=False)). "
            "Shut it down and wait for its threads before returning: "
            "`with ThreadPoolExecutor(max_workers=limit) as pool:` does both when the block ends.",
        )
        summary.append(f"{fn.peak} at once for limit {limit}" if items else "an empty list")
        in_default = max(in_default, fn.peak_default)
    return (
        f"results in order; {'; '.join(summary)}; none on the loop's thread; at most {in_default} "
        f"at once in the default executor's {size} threads; no thread left behind."
    )


# --------------------------------------------------------------------------- 6.3 relay
class _WatchedQueue(asyncio.Queue):  # type: ignore[type-arg]
    """An asyncio.Queue that notes every call to its methods made outside the loop's thread.
    Such a call is forwarded to the loop's thread, so that the check can finish and say what
    happened instead of hanging."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._loop_thread = threading.get_ident()
        self._owner_loop = loop
        self.foreign: list[tuple[str, str]] = []  # (method, thread name)

    def _foreign(self, method: str) -> bool:
        if threading.get_ident() == self._loop_thread:
            return False
        self.foreign.append((method, threading.current_thread().name))
        return True

    def put_nowait(self, item: Any) -> None:
        if self._foreign("put_nowait"):
            self._owner_loop.call_soon_threadsafe(super().put_nowait, item)
            return
        super().put_nowait(item)

    async def put(self, item: Any) -> None:
        self._foreign("put")
        await super().put(item)

    def get_nowait(self) -> Any:
        self._foreign("get_nowait")
        return super().get_nowait()

    async def get(self) -> Any:
        self._foreign("get")
        return await super().get()


class _Feed(workloads.PriceFeed):
    """A PriceFeed that notes what it sent, what the callback raised, and who stopped it."""

    def __init__(self, callback: Callable[[Any], object], shift: float = 0, **kwargs: Any) -> None:
        self.sent: list[float] = []
        self.errors: list[BaseException] = []
        self.stopped = False
        self.started = False
        self.ended = threading.Event()

        def guarded(price: Any) -> None:
            if price is not None:
                price = round(price + shift, 2)  # feeds at once are told apart by their prices
                self.sent.append(price)
            try:
                callback(price)
            except Exception as exc:  # noted; the feed goes on, as a sturdy library would
                self.errors.append(exc)

        super().__init__(guarded, **kwargs)

    def start(self) -> None:
        self.started = True
        super().start()

    def stop(self) -> None:
        self.stopped = True
        super().stop()

    def _run(self) -> None:
        try:
            super()._run()
        finally:
            self.ended.set()


THREAD_HINT = (
    "Your callback runs in the feed's thread. There, never touch the queue (or the loop's "
    "call_soon): `loop.call_soon_threadsafe(queue.put_nowait, price)` asks the loop's own thread "
    "to do it. Get `loop` with asyncio.get_running_loop() in relay, before starting the feed."
)


ONE = "a feed of 20 prices"
TWO = "two relays at once, each with its own feed and queue"
NONE = "a feed that sent no price, only None"


@task("6.3")
async def check_relay(ctx: CheckContext) -> str:
    relay = ctx.function()
    loop = asyncio.get_running_loop()
    feeds: list[_Feed] = []
    seen: dict[str, Any] = {}

    def feed_factory(**kwargs: Any) -> Callable[[Callable[[Any], object]], _Feed]:
        def make_feed(callback: Callable[[Any], object]) -> _Feed:
            feed = _Feed(callback, **kwargs)
            feeds.append(feed)
            return feed

        return make_feed

    def trouble(queues: list[_WatchedQueue], mine: list[_Feed]) -> str:
        for q in queues:
            if q.foreign:
                method, thread = q.foreign[0]
                return (
                    f"queue.{method}() was called from the thread {thread!r}, not from the event "
                    f"loop's thread ({len(q.foreign)} such call(s)). asyncio's queues are not "
                    "thread-safe: the loop may not even wake up to see the item. "
                    + THREAD_HINT
                )
        for f in mine:
            if f.errors:
                exc = f.errors[0]
                unsafe = "Non-thread-safe operation" in str(exc)
                return (
                    f"Your callback raised {type(exc).__name__}: {exc} in the feed's thread"
                    + (" (asyncio's debug mode caught a call to the loop from another thread)"
                       if unsafe else "")
                    + ". " + THREAD_HINT
                )
        return ""

    async def run_relays(label: str, kinds: list[dict[str, Any]],
                         cancel_after: int | None = None) -> list[dict[str, Any]]:
        """Run one relay per feed, at once, each with its own queue and a reader of it; return
        what each one did (noted before the check cleans up)."""
        queues = [_WatchedQueue(loop) for _ in kinds]
        first = len(feeds)
        tasks = [asyncio.create_task(relay(feed_factory(**kw), q)) for kw, q in zip(kinds, queues, strict=True)]
        read: list[list[Any]] = [[] for _ in kinds]
        got_some = asyncio.Event()

        async def reader(q: _WatchedQueue, into: list[Any]) -> None:
            while True:
                item = await asyncio.Queue.get(q)
                into.append(item)
                if cancel_after is not None and len(into) >= cancel_after:
                    got_some.set()
                if item is None:
                    return

        readers = [asyncio.create_task(reader(q, r)) for q, r in zip(queues, read, strict=True)]
        try:
            if cancel_after is not None:
                waiter = asyncio.ensure_future(got_some.wait())
                await asyncio.wait([waiter, *tasks], timeout=3, return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()
                for t in tasks:
                    t.cancel()
                await asyncio.wait(tasks, timeout=1.5)
            else:
                noticed: float | None = None
                deadline = time.monotonic() + 3
                while not all(t.done() for t in tasks) and time.monotonic() < deadline:
                    await asyncio.wait(tasks, timeout=0.05)
                    mine = feeds[first:]
                    over = len(mine) == len(tasks) and all(f.ended.is_set() for f in mine)
                    idle = len(mine) < len(tasks) or not all(f.started for f in mine)
                    if over or idle or trouble(queues, mine):
                        noticed = noticed or time.monotonic()
                        if time.monotonic() - noticed > 0.5:
                            break  # wrong, or every feed is over: it will not finish now
                    else:
                        noticed = None
                problem = trouble(queues, feeds[first:])
                if problem:
                    raise CheckFailed(problem, hint=THREAD_HINT)
                for t in tasks:  # the learner's exception, said with the scenario it came from
                    exc = t.exception() if t.done() and not t.cancelled() else None
                    if isinstance(exc, NotImplementedError):
                        raise exc  # the stub: ctx.run says "not attempted"
                    if exc is not None:
                        raise CheckFailed(f"For {label}, relay raised {describe_error(exc)}") from exc
                mine = feeds[first:]
                if len(mine) != len(tasks) or not all(f.started for f in mine):
                    raise CheckFailed(
                        f"For {label}, relay called make_feed {len(mine)} time(s) for "
                        f"{len(tasks)} relay(s) and started {sum(f.started for f in mine)} feed(s): "
                        "each relay makes its feed once, `feed = make_feed(callback)`, then "
                        "starts it with `feed.start()`."
                    )
                if not all(t.done() for t in tasks):
                    ended = [f for f in feeds[first:] if f.ended.is_set()]
                    if len(tasks) > 1 and any(t.done() for t in tasks):
                        raise CheckFailed(
                            f"With {label}, one relay returned but the other never did, although "
                            "its feed had finished: the two mixed, each relay must keep its own "
                            "state. Keep the queue, the count, the loop and what you wait on in "
                            "relay's own local variables (a callback defined inside relay sees "
                            "them), not in module globals that the second relay overwrites."
                        )
                    raise CheckFailed(
                        "relay had not returned 3 s after starting"
                        + (", although its feed had called back None long before" if ended else "")
                        + ". Return once the callback got None: e.g. set an asyncio.Event on "
                        "the loop's thread when the price is None, and await it."
                    )
                await asyncio.wait(readers, timeout=1)
            return [
                {"task": t, "read": list(r), "feed": f, "queue": q, "done": t.done(),
                 "stopped": f.stopped, "ended": f.ended.is_set()}
                for t, r, f, q in zip(tasks, read, feeds[first:], queues, strict=True)
            ]
        finally:
            for t in [*tasks, *readers]:
                t.cancel()
            for f in feeds[first:]:
                workloads.PriceFeed.stop(f)  # whatever the learner did, no feed keeps running
            await asyncio.wait([*tasks, *readers], timeout=1)
            for t in tasks:
                if t.done() and not t.cancelled():
                    t.exception()  # looked at: asyncio never logs it

    async def scenarios() -> None:
        debug, slow = loop.get_debug(), loop.slow_callback_duration
        loop.set_debug(True)  # asyncio then rejects calls to the loop from other threads
        loop.slow_callback_duration = 10  # and says nothing about slow steps
        try:
            seen["one"] = await run_relays(ONE, [{"ticks": 20, "interval": 0.005, "seed": 3}])
            seen["two"] = await run_relays(TWO, [{"ticks": 12, "interval": 0.006, "seed": 4},
                                            {"ticks": 9, "interval": 0.008, "seed": 5, "shift": 1000}])
            seen["none"] = await run_relays(NONE, [{"ticks": 0, "interval": 0.005, "seed": 6}])
            seen["cancel"] = await run_relays("a relay cancelled mid-stream", [{"ticks": 300, "interval": 0.005, "seed": 7}],
                                              cancel_after=3)
        finally:
            loop.set_debug(debug)
            loop.slow_callback_duration = slow

    def judge(label: str, runs: list[dict[str, Any]]) -> None:
        for i, run in enumerate(runs):
            others = {p for j, o in enumerate(runs) if j != i for p in o["feed"].sent}
            strays = [p for p in run["read"] if p in others]
            ctx.expect(
                not strays,
                f"With two relays at once, the queue of one received {len(strays)} price(s) of "
                f"the other's feed ({_show(strays, 4)}): the two mixed. Keep the queue, the count "
                "and the loop in relay's own local variables (the callback can see them: it is "
                "defined inside relay), not in globals.",
            )
        for run in runs:
            t, read, feed = run["task"], run["read"], run["feed"]
            if t.cancelled():
                raise CheckFailed(f"relay ({label}) ended cancelled although nobody cancelled it.")
            count = t.result()
            ctx.no_awaitable(count, "relay")
            want = [*feed.sent, None]
            ctx.expect(
                feed.started,
                f"relay ({label}) never started the feed: call feed.start() after make_feed(callback).",
            )
            ctx.expect(
                read == want,
                f"For {label}, the queue received {_show(read)}; the feed sent {_show(feed.sent)}, "
                "so expected those prices in that order, then None"
                + (" (the queue got no None: put it when the callback gets None)"
                   if None not in read else "")
                + ".",
            )
            ctx.expect(
                count == len(feed.sent),
                f"relay ({label}) returned {count!r}; the feed sent {len(feed.sent)} prices.",
            )

    await ctx.run(named(scenarios(), "relay"))
    judge(ONE, seen["one"])
    judge(TWO, seen["two"])
    judge(NONE, seen["none"])
    run = seen["cancel"][0]
    task_, feed = run["task"], run["feed"]
    problem = trouble([run["queue"]], [feed])
    if problem:
        raise CheckFailed(problem, hint=THREAD_HINT)
    ctx.expect(
        run["done"],
        "relay was cancelled in the middle of a long feed and did not stop within 1.5 s. Let "
        "the CancelledError through: clean up in `finally`, do not catch it.",
    )
    if not task_.cancelled():
        exc = task_.exception()
        raise CheckFailed(
            "relay was cancelled in the middle of a long feed but "
            + (f"raised {type(exc).__name__}: {exc}" if exc else "returned normally")
            + " instead of ending cancelled. Stop the feed in a `finally:` and let the "
            "CancelledError through (never catch it without raising it again).",
            hint="`try: await finished.wait()` → `finally: feed.stop()`: the finally runs on "
            "cancellation too, and the CancelledError carries on afterwards by itself.",
        )
    ctx.expect(
        run["stopped"] and run["ended"],
        "relay was cancelled in the middle of a long feed and ended, but "
        + ("the feed was never stopped" if not run["stopped"] else "the feed's thread was still running")
        + ": it would go on calling back for nothing. Call feed.stop() in a `finally:` around "
        "the wait, so that it also runs when relay is cancelled.",
    )
    n = len(seen["one"][0]["feed"].sent)
    return (
        f"{n} prices, then None, in order, every queue call on the loop's thread (in debug mode); "
        "two relays at once kept apart; an empty feed; a cancelled relay stopped its feed and "
        "ended cancelled."
    )


# --------------------------------------------------------------------------- 6.4 SyncItems
class _Sessions:
    """Notes every aiohttp.ClientSession made while it is active (a weak reference to each)."""

    def __init__(self) -> None:
        self.made: list[weakref.ref[aiohttp.ClientSession]] = []
        self._original: Any = None

    def __enter__(self) -> _Sessions:
        original = self._original = aiohttp.ClientSession.__init__
        made = self.made

        def init(session: aiohttp.ClientSession, *args: Any, **kwargs: Any) -> None:
            made.append(weakref.ref(session))
            original(session, *args, **kwargs)

        aiohttp.ClientSession.__init__ = init  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        aiohttp.ClientSession.__init__ = self._original  # type: ignore[method-assign]

    def since(self, n: int) -> tuple[int, int]:
        """(sessions made since the n-th, how many of them are still open)."""
        new = [ref() for ref in self.made[n:]]
        return len(new), sum(1 for s in new if s is not None and not s.closed)


async def _in_thread(fn: Callable[[], Any]) -> Any:
    """Run fn() in a plain thread of the check's own (no event loop there) and await it."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[Any] = loop.create_future()

    def settle(value: Any, error: BaseException | None) -> None:
        if done.done():
            return
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(value)

    def body() -> None:
        try:
            value = fn()
        except BaseException as exc:  # handed to the awaiting coroutine
            loop.call_soon_threadsafe(settle, None, exc)
        else:
            loop.call_soon_threadsafe(settle, value, None)

    threading.Thread(target=body, name="plain code", daemon=True).start()
    return await done


NO_RUN_HINT = (
    "A thread that already runs an event loop (a notebook cell's) cannot call asyncio.run() or "
    "loop.run_until_complete(). Give the facade a loop of its own, run by `loop.run_forever` in "
    "a threading.Thread, and send it coroutines with asyncio.run_coroutine_threadsafe(coro, loop)."
)


@task("6.4")
async def check_sync_items(ctx: CheckContext) -> str:
    ctx.function(is_async=False)  # sync_total, given: the cell ran
    SyncItems = ctx.namespace.get("SyncItems")
    if not isinstance(SyncItems, type):
        raise LearnerError("MISSING CLASS SyncItems: run its cell (and keep the name `SyncItems`).")
    lab = ctx.lab
    base = lab.base_url
    obs: dict[str, Any] = {}

    def leftover(started: set[int]) -> list[str]:
        live = _threads()
        return sorted(live[i].name for i in started if i in live and live[i].is_alive())

    def open_facade(*args: Any) -> tuple[Any, set[int]]:
        before = set(_threads())
        facade = SyncItems(*args)
        return facade, set(_threads()) - before

    with _Sessions() as sessions:
        # 1. From the event loop's own thread, as in a notebook cell: plain blocking calls.
        lab.reset()

        async def like_a_cell() -> None:
            items, started = open_facade(base, 0.1)
            obs["cell_value"] = items.value(3)
            obs["cell_values"] = items.values([5, 1, 4])
            obs["cell_sessions"] = sessions.since(0)
            items.close()
            obs["cell_left"] = leftover(started)
            obs["cell_threads"] = len(started)
            obs["cell_after"] = sessions.since(0)

        try:
            await ctx.run(named(like_a_cell(), "SyncItems"), allow_blocking=True)
        except LearnerError as exc:
            text = str(exc)
            if "running event loop" in text or "another loop is running" in text:
                raise CheckFailed(
                    f"Used from a thread that runs an event loop (as in a notebook cell), "
                    f"SyncItems raised {text.split(' raised ', 1)[-1].rstrip('.')}. {NO_RUN_HINT}",
                    hint=NO_RUN_HINT,
                ) from exc.__cause__
            raise
        ctx.expect(
            obs["cell_value"] == item_value(3) and obs["cell_values"] == [item_value(i) for i in (5, 1, 4)],
            f"From a notebook cell's thread, value(3) gave {obs['cell_value']!r} and "
            f"values([5, 1, 4]) gave {obs['cell_values']!r}; expected {item_value(3)} and "
            f"{[item_value(i) for i in (5, 1, 4)]}: the results of the async client's calls "
            "(wait for them with `.result()`).",
        )
        stats = await _stats(ctx)
        many = [r for r in stats.for_route("items") if r["path"] in {"/items/5", "/items/1", "/items/4"}]
        at_once = _peak([(r["start"], r["end"] or r["start"]) for r in many])
        ctx.expect(
            at_once == 3,
            f"values([5, 1, 4]) fetched the items one after another (the lab service saw at most "
            f"{at_once} of the 3 requests at once): run the async client's own `values` in the "
            "loop, which fetches them concurrently, rather than calling value() for each item.",
        )
        ctx.expect(
            obs["cell_threads"] >= 1,
            "SyncItems started no thread when it was created: the facade needs one event loop of "
            "its own, running in a background thread that __init__ starts and close() ends "
            "(threading.Thread(target=loop.run_forever)), so that callers in any thread, "
            "including one that runs an event loop already, can wait for it. (A loop or a thread "
            "per call would also mean a new session per call.)",
            hint=NO_RUN_HINT,
        )
        made, open_ = obs["cell_sessions"]
        ctx.expect(
            made == 1,
            f"One SyncItems made {made} aiohttp sessions for one value() and one values() call: "
            "open one AsyncItems in __init__ and keep it for every call (a session per call "
            "wastes connections).",
        )
        made, open_ = obs["cell_after"]
        ctx.expect(
            open_ == 0,
            "After close(), the facade's ClientSession was still open: close the async client "
            "first (`await client.close()`, run in the facade's loop and waited for), then stop "
            "the loop.",
        )
        ctx.expect(
            not obs["cell_left"],
            f"After close() returned, the thread(s) {obs['cell_left']} that SyncItems started were "
            "still running. close() must stop the loop (`loop.call_soon_threadsafe(loop.stop)`) "
            "and wait for the thread to end (`thread.join()`).",
        )

        # 2. From plain threads: three at once sharing one facade; values; the 404; close twice.
        lab.reset()
        shared_ids = [11, 12, 13]

        def plain() -> None:
            mark = len(sessions.made)
            items, started = open_facade(base, 0.15)
            with items:
                results: list[Any] = [None] * 3
                errors: list[BaseException] = []
                barrier = threading.Barrier(3)

                def user(i: int) -> None:
                    try:
                        barrier.wait(timeout=5)
                        results[i] = items.value(shared_ids[i])
                    except BaseException as exc:
                        errors.append(exc)

                users = [threading.Thread(target=user, args=(i,), name=f"user {i}") for i in range(3)]
                for u in users:
                    u.start()
                for u in users:
                    u.join(timeout=8)
                if errors:
                    raise errors[0]
                obs["shared"] = results
                try:
                    obs["missing"] = ("returned", items.value(-1))
                except aiohttp.ClientResponseError as exc:
                    obs["missing"] = ("raised", exc.status)
                except Exception as exc:
                    obs["missing"] = ("raised other", f"{type(exc).__name__}: {exc}")
                obs["plain_sessions"] = sessions.since(mark)
            obs["plain_left"] = leftover(started)
            obs["plain_after"] = sessions.since(mark)
            try:
                items.close()  # a second time: nothing should happen
                obs["second_close"] = ""
            except Exception as exc:
                obs["second_close"] = f"{type(exc).__name__}: {exc}"

        await ctx.run(named(_in_thread(plain), "SyncItems"))
        stats = await _stats(ctx)
        ctx.expect(
            obs["shared"] == [item_value(i) for i in shared_ids],
            f"Three plain threads sharing one SyncItems got {obs['shared']} for items "
            f"{shared_ids}; expected {[item_value(i) for i in shared_ids]}.",
        )
        records = [r for r in stats.for_route("items") if r["path"] in {f"/items/{i}" for i in shared_ids}]
        together = _peak([(r["start"], r["end"] or r["start"]) for r in records])
        ctx.expect(
            together == 3,
            f"Three plain threads called value() on one SyncItems at the same moment, but the lab "
            f"service saw at most {together} of their requests at once: the facade made them wait "
            "for each other (a lock around the calls? one call at a time in the loop?). Each "
            "call should just schedule its coroutine on the loop (run_coroutine_threadsafe) and "
            "wait for its own result; the loop runs them together.",
        )
        kind, value = obs["missing"]
        ctx.expect(
            kind == "raised" and value == 404,
            "value(-1) (an item that does not exist) "
            + (f"returned {value!r}" if kind == "returned" else f"raised {value}" if kind == "raised other"
               else f"raised ClientResponseError with status {value}")
            + "; expected the async client's aiohttp.ClientResponseError with status 404 to reach "
            "the caller. `future.result()` raises the coroutine's exception: do not catch it.",
        )
        made, _ = obs["plain_sessions"]
        ctx.expect(made == 1, f"One SyncItems used from plain threads made {made} aiohttp sessions; expected one.")
        ctx.expect(
            obs["plain_after"][1] == 0 and not obs["plain_left"],
            "After `with SyncItems(...) as items:` ended, "
            + (f"the thread(s) {obs['plain_left']} it started were still running"
               if obs["plain_left"] else "its ClientSession was still open")
            + ": __exit__ calls close(), which must close the client, stop the loop and join the thread.",
        )
        ctx.expect(
            not obs["second_close"],
            f"A second close() raised {obs['second_close']}; it should do nothing: remember that "
            "the facade is closed (e.g. `self._closed = True`) and return at once the next time.",
        )

        # 3. Two facades at once: closing one leaves the other working.
        def two() -> None:
            mark = len(sessions.made)
            a, started_a = open_facade(base, 0.01)
            b, started_b = open_facade(base, 0.01)
            try:
                obs["two_first"] = (a.value(21), b.value(22))
            finally:
                a.close()
            try:
                obs["two_after"] = b.values([23, 24])
            except Exception as exc:  # closing one facade broke the other
                obs["two_after"] = f"an error, {type(exc).__name__}: {exc}"
            finally:
                try:
                    b.close()
                except Exception as exc:
                    obs.setdefault("two_close", f"{type(exc).__name__}: {exc}")
            obs["two_left"] = leftover(started_a | started_b)
            obs["two_sessions"] = sessions.since(mark)

        await ctx.run(named(_in_thread(two), "SyncItems"))
        ctx.expect(
            obs["two_first"] == (item_value(21), item_value(22)) and obs["two_after"] == [item_value(23), item_value(24)],
            f"With two facades open at once, a.value(21), b.value(22) gave {obs['two_first']} and, "
            f"after a.close(), b.values([23, 24]) gave {obs['two_after']}; expected "
            f"{(item_value(21), item_value(22))} and {[item_value(23), item_value(24)]}. Keep each "
            "facade's loop, thread and client on the instance (self), not in globals.",
        )
        ctx.expect(
            "two_close" not in obs,
            f"With two facades open at once, closing the second one after the first raised "
            f"{obs.get('two_close')}. Keep each facade's loop, thread and client on the instance "
            "(self), not in globals.",
        )
        made, open_ = obs["two_sessions"]
        ctx.expect(
            made == 2 and open_ == 0 and not obs["two_left"],
            f"Two facades made {made} session(s), {open_} left open after both were closed"
            + (f", and their thread(s) {obs['two_left']} were still running" if obs["two_left"] else "")
            + ". Each facade has its own loop, thread and client, and close() ends all three.",
        )
    return (
        "values right from a notebook cell's thread, from three plain threads at once (their "
        "requests in flight together) and with two facades open at once; the 404 reached the "
        "caller; one session per facade, closed; no thread left after close(); a second close() "
        "did nothing."
    )


# --------------------------------------------------------------------------- 6.5 pipeline
DOCS = 24
WORDS = 120
BOUND = 12  # documents fetched and not yet stored, at most (the design allows 10)
_TRACE = """
CREATE TABLE counts (
    doc_id INTEGER NOT NULL, word TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (doc_id, word));
CREATE TABLE _stored (doc_id INTEGER PRIMARY KEY, at REAL);
CREATE TRIGGER _note_stored AFTER INSERT ON counts
WHEN NOT EXISTS (SELECT 1 FROM _stored WHERE doc_id = new.doc_id)
BEGIN
    INSERT INTO _stored VALUES (new.doc_id, (julianday('now') - 2440587.5) * 86400.0);
END;
"""


def _make_db(path: str) -> None:
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.executescript(_TRACE)
        db.commit()


def _read_db(path: str) -> tuple[dict[int, dict[str, int]], dict[int, float]]:
    """(the counts stored per document, when each document's first row was stored: a wall time)."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        rows = db.execute("SELECT doc_id, word, n FROM counts").fetchall()
        stored = dict(db.execute("SELECT doc_id, at FROM _stored").fetchall())
    counts: dict[int, dict[str, int]] = {}
    for doc_id, word, n in rows:
        counts.setdefault(doc_id, {})[word] = n
    return counts, stored


class _Connects:
    """Notes the threads in which sqlite3.connect is called while it is active."""

    def __init__(self) -> None:
        self.threads: list[int] = []
        self._original: Any = None

    def __enter__(self) -> _Connects:
        original = self._original = sqlite3.connect
        threads = self.threads

        def connect(*args: Any, **kwargs: Any) -> Any:
            threads.append(threading.get_ident())
            return original(*args, **kwargs)

        sqlite3.connect = connect  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        sqlite3.connect = self._original  # type: ignore[assignment]


@task("6.5")
async def check_pipeline(ctx: CheckContext) -> str:
    pipeline = ctx.function()
    lab = ctx.lab
    loop = asyncio.get_running_loop()
    kernel, loop_thread = os.getpid(), threading.get_ident()
    rng = random.Random(65)
    runs = [rng.sample(range(100, 400), DOCS), [rng.randrange(400, 500)], []]
    before = _children()
    pool = ProcessPoolExecutor(max_workers=2)
    try:
        # Start both workers now (forking or spawning them is not the learner's time).
        await asyncio.gather(*(loop.run_in_executor(pool, time.sleep, 0.05) for _ in range(2)))
        workers = _children() - before
        with tempfile.TemporaryDirectory(prefix="asynclab-06-") as tmp:
            found: list[dict[str, Any]] = []
            for n, doc_ids in enumerate(runs):
                lab.reset()
                db_path = os.path.join(tmp, f"run{n}.db")
                _make_db(db_path)
                parse = _Traced(workloads.word_counts, os.path.join(tmp, f"parse{n}.log"), pause=0.04)
                urls = {d: lab.url(f"/docs/{d}", words=WORDS, delay=0.01) for d in doc_ids}
                with _Connects() as connects:

                    async def run(urls: dict[int, str] = urls, db_path: str = db_path,
                                  parse: _Traced = parse) -> Any:
                        result = await pipeline(urls, db_path, pool, parse)
                        ctx.no_awaitable(result, "pipeline")
                        return result

                    offset = time.time() - time.monotonic()
                    got = await ctx.run(named(run(), "pipeline"))
                sessions = ctx.last.sessions
                stats = await _stats(ctx)
                counts, stored = _read_db(db_path)
                found.append({
                    "sessions": sessions, "connections": len(connects.threads),
                    "ids": doc_ids, "got": got, "counts": counts,
                    "stored": {d: at - offset for d, at in stored.items()},
                    "fetches": stats.for_route("docs"), "peak": stats.peak("docs"),
                    "parses": parse.calls(), "on_loop": connects.threads.count(loop_thread),
                })
    finally:
        pool.shutdown(wait=True, cancel_futures=True)

    for f in found:
        ids = f["ids"]
        label = f"pipeline on {len(ids)} document(s)"
        ctx.expect(
            f["on_loop"] == 0,
            f"{label} opened the database with sqlite3 on the event loop's thread: every query "
            "then blocks the loop. Use `async with aiosqlite.connect(db_path) as db:` (it runs "
            "the queries in a thread of its own).",
        )
        ctx.expect(
            f["sessions"] <= 1 and (f["sessions"] == 1 or not ids),
            f"{label} opened {f['sessions']} aiohttp ClientSessions: open one, before the "
            "fetchers start, and let the 3 fetchers share it.",
        )
        ctx.expect(
            f["connections"] <= 1,
            f"{label} opened {f['connections']} connections to the database: open one "
            "(`async with aiosqlite.connect(db_path) as db:`) for the one writer task.",
        )
        want = {d: workloads.word_counts(workloads.document(d, WORDS)) for d in ids}
        missing = [d for d in ids if d not in f["counts"]]
        ctx.expect(
            not missing,
            f"After {label} returned, {len(missing)} of the {len(ids)} documents had no rows in "
            f"the database (e.g. doc_id {missing[:3]}): "
            + ("nothing at all was stored: insert the rows and `await db.commit()` before the "
               "connection closes." if len(missing) == len(ids) else
               "were they all fetched, parsed and handed to the writer before it stopped?"),
        )
        wrong = [d for d in ids if f["counts"].get(d) != want[d]]
        extra = sorted(set(f["counts"]) - set(ids))
        if wrong or extra:
            raise CheckFailed(
                f"After {label}, the rows of doc_id {(wrong or extra)[0]} are not its word counts"
                + (f" (expected {len(want[wrong[0]])} words, found {len(f['counts'].get(wrong[0], {}))})"
                   if wrong else " (no such document was given)")
                + ": store one row (doc_id, word, n) per word of parse(text), for every document."
            )
        ctx.expect(
            f["got"] == len(ids),
            f"{label} returned {f['got']!r}; expected {len(ids)}, the number of documents stored.",
        )
        if not ids:
            continue
        parses = f["parses"]
        ctx.expect(
            parses,
            f"{label} never called the `parse` function it was given: compute each document's "
            "counts with `await loop.run_in_executor(pool, parse, text)`.",
        )
        local = [c for c in parses if c.pid == kernel]
        ctx.expect(
            not local,
            f"{label} ran {len(local)} of its {len(parses)} parse calls in the kernel's own process "
            + ("(on the event loop's thread)" if any(c.thread == loop_thread for c in local) else "(in a thread)")
            + ", not in the process pool it was given: pass `pool` to run_in_executor "
            "(`loop.run_in_executor(pool, parse, text)`).",
        )
        strangers = {c.pid for c in parses} - workers
        ctx.expect(
            not strangers,
            f"{label} parsed in {len(strangers)} process(es) that are not the pool it was given: "
            "use `pool`, do not make a pool of your own.",
        )
        if len(ids) < DOCS:
            continue
        fetches = f["fetches"]
        ctx.expect(
            f["peak"] <= 3,
            f"{label}: the lab service saw {f['peak']} document requests at once; the pipeline has "
            "3 fetchers, so at most 3.",
        )
        ctx.expect(
            f["peak"] >= 2,
            f"{label}: the lab service never saw two document requests at once: run 3 fetcher "
            "tasks that take the documents in turn.",
        )
        parse_peak = _peak([(c.start, c.end) for c in parses])
        ctx.expect(
            parse_peak >= 2,
            f"{label}: the documents were parsed one at a time (never two at once in the pool's "
            "2 workers): run 2 parser tasks, each awaiting its own run_in_executor.",
        )
        last_fetch = max(r["end"] or r["start"] for r in fetches)
        first_parse = min(c.start for c in parses)
        first_store = min(f["stored"].values())
        ctx.expect(
            first_parse < last_fetch and first_store < last_fetch,
            f"{label}: the stages ran one after another, not at the same time: "
            + ("parsing began only after the last document had been fetched"
               if first_parse >= last_fetch else
               "the first document was stored only after the last one had been fetched")
            + ". Start the fetchers, the parsers and the writer together (one TaskGroup) and "
            "pass the documents through queues as soon as each one is ready.",
            hint="Each stage is a set of tasks started at the same time as the others: they all "
            "run at once and meet at the queues. Collecting every text first (gather) and "
            "parsing them afterwards is three programs one after another.",
        )
        events = sorted([(r["end"] or r["start"], 1) for r in fetches]
                        + [(at, -1) for at in f["stored"].values()])
        level = most = 0
        for _, delta in events:
            level += delta
            most = max(most, level)
        ctx.expect(
            most <= BOUND,
            f"{label}: at one point {most} documents had been fetched and not yet stored (at most "
            f"{BOUND} are allowed): the fetchers ran far ahead of the parsers. Bound the queues, "
            "`asyncio.Queue(maxsize=2)`, so that a full queue makes the fetchers wait.",
            hint="An asyncio.Queue() without maxsize never makes `put` wait, so the fastest stage "
            "piles up everything in memory. With maxsize=2, `await queue.put(...)` waits until the "
            "next stage has taken an item.",
        )
        summary = (
            f"{len(ids)} documents stored; up to {f['peak']} fetches and {parse_peak} parses at "
            f"once, in the pool's workers; parsing began {last_fetch - first_parse:.2f} s and "
            f"storing {last_fetch - first_store:.2f} s before the last fetch ended; at most "
            f"{most} documents between fetched and stored"
        )
    return summary + "; one document and none handled too."
