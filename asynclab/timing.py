"""Timing experiments and plots used across the course: sync vs threads vs asyncio.

    from asynclab import timing
    results = await timing.compare(sizes=(1, 10, 40), latency=0.1)
    timing.plot(results)
    print(results.table())

The workloads fetch /items/{id} from the local lab service (asynclab.labservice). Every point
is the best of `repeat` runs (3 by default): other programs on the machine only ever make a
run slower, so the fastest run is the one least disturbed.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import sys
import time
import urllib.request
import warnings
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import matplotlib

from asynclab import labservice


def _backend_is_unset() -> bool:
    if os.environ.get("MPLBACKEND") or "ipykernel" in sys.modules:
        return False  # Jupyter (inline) or an explicit choice
    getter = getattr(matplotlib.rcParams, "_get_backend_or_none", None)
    return getter() is None if getter else "matplotlib.pyplot" not in sys.modules


if _backend_is_unset():
    matplotlib.use("Agg")  # scripts, checks and tests draw off-screen

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

with warnings.catch_warnings():  # without ipywidgets, tqdm.auto falls back to a text bar
    warnings.filterwarnings("ignore", message="IProgress not found")
    from tqdm.auto import tqdm

# The same colour for the same approach everywhere in the course (ideal lines are dashed).
# Each approach also has its own marker, so the lines differ by more than their hue.
COLORS = {"sync": "#d62728", "threads": "#ff7f0e", "threads_n": "#8c564b", "async": "#1f77b4",
          "processes": "#2ca02c", "ideal": "black", "floor": "#7f7f7f"}
MARKERS = {"sync": "s", "threads": "^", "threads_n": "v", "async": "o", "processes": "D"}
LABELS = {"sync": "sync (one by one)", "threads": "threads (pool)",
          "threads_n": "threads (a pool as large as N)", "async": "asyncio (gather)"}
# "threads_n" is a pool with a thread for every request (as many workers as the largest N).
KINDS = ("sync", "threads", "threads_n", "async")
DEFAULT_KINDS = ("sync", "threads", "async")
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxy for 127.0.0.1


# ------------------------------------------------------------------------------ workloads
def _get(url: str) -> dict[str, Any]:
    with _OPENER.open(url, timeout=60) as resp:
        return json.loads(resp.read())


def fetch_sync(urls: Iterable[str]) -> list[dict[str, Any]]:
    """One request after the other with urllib."""
    return [_get(url) for url in urls]


def fetch_threads(urls: Iterable[str], workers: int = 10, *,
                  pool: ThreadPoolExecutor | None = None) -> list[dict[str, Any]]:
    """urllib in a pool of `workers` threads (or in `pool`, which is left open for reuse)."""
    if pool is not None:
        return list(pool.map(_get, urls))
    with ThreadPoolExecutor(max_workers=workers) as own_pool:
        return list(own_pool.map(_get, urls))


async def fetch_async(urls: Iterable[str], limit: int | None = None) -> list[dict[str, Any]]:
    """All requests at once on one aiohttp session (at most `limit` connections, if given)."""
    connector = aiohttp.TCPConnector(limit=limit or 0)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(url: str) -> dict[str, Any]:
            async with session.get(url) as resp:
                resp.raise_for_status()
                return await resp.json()

        return list(await asyncio.gather(*(one(url) for url in urls)))


def _start_threads(pool: ThreadPoolExecutor, workers: int) -> None:
    """Make `pool` start all its threads (it starts them lazily, one per busy submit)."""
    list(pool.map(time.sleep, [0.02] * workers))


# ------------------------------------------------------------------------------ results
@dataclass
class Results:
    """Measured wall times: rows of (kind, n, seconds), each the best of `repeat` runs."""

    latency: float
    workers: int = 10
    limit: int | None = None
    repeat: int = 1
    big_pool: int = 0  # workers of the "threads_n" pool (the largest N)
    rows: list[tuple[str, int, float]] = field(default_factory=list)
    skipped: list[tuple[str, int, str]] = field(default_factory=list)  # (kind, n, why)
    floor: dict[int, float] = field(default_factory=dict)  # async at zero latency
    runs: dict[tuple[str, int], list[float]] = field(default_factory=dict)  # every run

    @property
    def kinds(self) -> list[str]:
        return list(dict.fromkeys([k for k, _, _ in self.rows] + [k for k, _, _ in self.skipped]))

    @property
    def sizes(self) -> list[int]:
        return sorted({n for _, n, _ in self.rows} | {n for _, n, _ in self.skipped})

    def concurrency(self, kind: str, n: int) -> int:
        return {"sync": 1, "threads": self.workers, "threads_n": min(n, self.big_pool or n),
                "async": self.limit or n}[kind]

    def label(self, kind: str) -> str:
        """The legend label, with the pool size for the thread pools."""
        if kind == "threads":
            return f"threads (pool of {self.workers})"
        if kind == "threads_n":
            return f"threads (pool of {self.big_pool or 'N'})"
        return LABELS.get(kind, kind)

    def ideal_label(self, kind: str) -> str:
        """The legend label of the ideal line for `kind`."""
        short = {"threads": f"pool of {self.workers}",
                 "threads_n": f"pool of {self.big_pool or 'N'}"}.get(kind, kind)
        return f"ideal: {short}"

    def ideal(self, kind: str, n: int) -> float:
        """ceil(n / concurrency) rounds of one latency each."""
        return math.ceil(n / self.concurrency(kind, n)) * self.latency

    def seconds(self, kind: str, n: int) -> float | None:
        return next((s for k, m, s in self.rows if (k, m) == (kind, n)), None)

    def series(self, kind: str) -> tuple[list[int], list[float]]:
        points = sorted((n, s) for k, n, s in self.rows if k == kind)
        return [n for n, _ in points], [s for _, s in points]

    def ratio(self, kind: str, n: int) -> float:
        """Measured time / ideal time (1.0 is perfect)."""
        measured = self.seconds(kind, n)
        if measured is None:
            raise KeyError(f"no measurement for {kind} with n={n}")
        return measured / self.ideal(kind, n)

    def table(self) -> str:
        best = f"best of {self.repeat}" if self.repeat > 1 else "measured"
        lines = [f"{'kind':<9} {'N':>5} {best:>10} {'ideal':>8} {'ratio':>6}"]
        for kind, n, secs in self.rows:
            ideal = self.ideal(kind, n)
            lines.append(f"{kind:<9} {n:>5} {secs:>9.3f}s {ideal:>7.3f}s {secs / ideal:>6.2f}")
        lines += [f"{kind:<9} {n:>5}   skipped: {why}" for kind, n, why in self.skipped]
        lines += [f"{'floor':<9} {n:>5} {s:>9.3f}s   (async, zero latency)"
                  for n, s in sorted(self.floor.items())]
        return "\n".join(lines)

    __str__ = table


async def compare(sizes: Sequence[int] = (1, 5, 10, 20, 40), latency: float = 0.1, *,
                  kinds: Sequence[str] = DEFAULT_KINDS, workers: int = 10,
                  limit: int | None = None, repeat: int = 3,
                  lab: labservice.LabService | None = None, progress: bool = True,
                  floor: bool = False, sync_cap: float = 4.0) -> Results:
    """Time fetching n items of `latency` s each, best of `repeat` runs per point.

    Sync runs whose ideal exceeds `sync_cap` s are skipped. "threads_n" uses a pool with as
    many workers as the largest size. The thread pools are created (and their threads
    started) before any timer runs, and reused: the timed region holds only the requests.
    """
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds {sorted(unknown)}; choose from {KINDS}")
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1, not {repeat}")
    service = lab or labservice.lab()
    results = Results(latency=latency, workers=workers, limit=limit, repeat=repeat,
                      big_pool=max(sizes) if "threads_n" in kinds else 0)
    await asyncio.to_thread(_get, service.url("/items/0", delay=0))  # warm up
    sizes_of_pools = {"threads": workers, "threads_n": results.big_pool}
    pools = {kind: ThreadPoolExecutor(max_workers=sizes_of_pools[kind], thread_name_prefix=kind)
             for kind in kinds if kind in sizes_of_pools}
    for kind, pool in pools.items():  # start every worker thread now, outside the timers
        await asyncio.to_thread(_start_threads, pool, sizes_of_pools[kind])
    plan = [(kind, n) for n in sizes for kind in kinds]
    # In Jupyter a text bar on stderr would look like an error (red), so use stdout there.
    out = sys.stdout if "ipykernel" in sys.modules else sys.stderr
    try:
        with tqdm(total=(len(plan) + (len(sizes) if floor else 0)) * repeat,
                  disable=not progress, desc="measuring", file=out) as bar:
            for kind, n in plan:
                bar.set_postfix_str(f"{kind} N={n}")
                if kind == "sync" and results.ideal(kind, n) > sync_cap:
                    why = f"would take about {results.ideal(kind, n):.1f} s (> {sync_cap:g} s)"
                    results.skipped.append((kind, n, why))
                    bar.update(repeat)
                    continue
                urls = [service.url(f"/items/{i}", delay=latency) for i in range(n)]
                runs = results.runs.setdefault((kind, n), [])
                for _ in range(repeat):
                    start = time.perf_counter()
                    # The blocking variants run in a worker thread so that the event loop
                    # (the notebook kernel's) stays responsive: the progress bar and other
                    # cells keep going.
                    if kind == "sync":
                        await asyncio.to_thread(fetch_sync, urls)
                    elif kind in pools:
                        await asyncio.to_thread(fetch_threads, urls, pool=pools[kind])
                    else:
                        await fetch_async(urls, limit)
                    runs.append(time.perf_counter() - start)
                    bar.update()
                results.rows.append((kind, n, min(runs)))
            for n in sizes if floor else ():
                bar.set_postfix_str(f"floor N={n}")
                zero = [service.url(f"/items/{i}", delay=0) for i in range(n)]
                runs = results.runs.setdefault(("floor", n), [])
                for _ in range(repeat):
                    start = time.perf_counter()
                    await fetch_async(zero, limit)
                    runs.append(time.perf_counter() - start)
                    bar.update()
                results.floor[n] = min(runs)
    finally:
        for pool in pools.values():
            pool.shutdown(wait=False)
    return results


# ------------------------------------------------------------------------------ plots
def _axes(ax: Axes | None) -> tuple[Figure, Axes, bool]:
    """(figure, axes, whether we created the figure)."""
    if ax is not None:
        return ax.get_figure(), ax, False  # type: ignore[return-value]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    return fig, ax, True


def _finish(fig: Figure, ax: Axes, created: bool, legend: bool = True) -> Figure:
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    if legend:
        ax.legend(fontsize="small")
    backend = matplotlib.get_backend().lower()
    if created and ("inline" in backend or backend in ("agg", "pdf", "svg", "ps", "cairo")):
        # Let go of it in pyplot: Jupyter then shows the returned figure once (not also at
        # the end of the cell), and scripts calling plot() often do not pile figures up.
        plt.close(fig)
    return fig


def plot(results: Results, *, ax: Axes | None = None, title: str | None = None,
         legend: bool = True) -> Figure:
    """Wall time against the number of requests, measured (solid) and ideal (dashed).

    The ideal ⌈N / concurrency⌉ × latency is a step function of N: it is computed at every
    whole N and drawn as steps. Ideal lines lie under the measured ones, never over them.
    With legend=False the axes get no legend (put one outside: fig.legend(...)).
    In Jupyter the figure shows when it is a cell's result, or with display(fig).
    """
    fig, ax, created = _axes(ax)
    for kind in results.kinds:
        color = COLORS.get(kind, COLORS["ideal"])
        ns, secs = results.series(kind)
        label = results.label(kind)
        skipped = [n for k, n, _ in results.skipped if k == kind]
        if skipped:
            label += f" (skipped N ≥ {min(skipped)})"
        ax.plot(ns, secs, linestyle="-", marker=MARKERS.get(kind, "o"), color=color,
                label=label, zorder=3)
        ideal_ns = results.sizes if not skipped else ns
        if ideal_ns:
            every_n = list(range(min(ideal_ns), max(ideal_ns) + 1))
            ax.plot(every_n, [results.ideal(kind, n) for n in every_n], "--", color=color,
                    alpha=0.6, label=results.ideal_label(kind), zorder=2,
                    drawstyle="default" if kind == "sync" else "steps-post")
    if results.floor:
        ns = sorted(results.floor)
        ax.plot(ns, [results.floor[n] for n in ns], ":", marker=".", color=COLORS["floor"],
                label="async, zero latency (CPU floor)", zorder=2.5)
    ax.set_xlabel("N (requests)")
    ax.set_ylabel("time (s)")
    runs = f", best of {results.repeat} runs" if results.repeat > 1 else ""
    ax.set_title(title or f"Fetching N items, {results.latency * 1000:g} ms latency each{runs}")
    return _finish(fig, ax, created, legend)


def plot_in_flight(stats_or_list: labservice.Stats | Sequence[labservice.Stats],
                   labels: Sequence[str] | None = None, ax: Axes | None = None, *,
                   route: str | None = None, limit: int | None = None) -> Figure:
    """Requests in flight at the server over time, one step line per Stats."""
    many = [stats_or_list] if isinstance(stats_or_list, labservice.Stats) else stats_or_list
    if labels is None:  # each run's times start at its own first request
        labels = ["in flight"] if len(many) == 1 else [f"run {i + 1}" for i in range(len(many))]
    fig, ax, created = _axes(ax)
    for stats, name in zip(many, labels, strict=True):
        times, counts = stats.in_flight_series(route)
        ax.step(times, counts, where="post", label=name, color=COLORS.get(name), zorder=3)
    if limit is not None:  # behind the data: a plateau at the limit stays visible
        ax.axhline(limit, linestyle="--", linewidth=1, alpha=0.6, color=COLORS["ideal"],
                   label=f"limit = {limit}", zorder=2)
    ax.set_xlabel("time since first request (s)")
    ax.set_ylabel("requests in flight")
    return _finish(fig, ax, created)
