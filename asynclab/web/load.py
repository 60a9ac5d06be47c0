"""A small HTTP load generator: drive a URL at a chosen concurrency, measure latencies.

    from asynclab.web import run_load

    result = await run_load(server.url("/slow"), concurrency=10, requests=100)
    result.throughput, result.p50, result.p99     # requests/s, seconds, seconds
    result.statuses                               # Counter({200: 100})

``await run_load(url, *, concurrency, requests, method="GET", session=None,
request_timeout=10.0, headers=None, data=None, json=None, read_body=True) -> LoadResult``

Closed-loop load: ``concurrency`` workers, each sending its next request as soon as its
previous one is answered, until ``requests`` requests have been sent (``concurrency ==
requests`` is a burst: everything at once). ``url`` is a string or a function
``i -> url`` for request number ``i``. Without ``session`` it opens one session for the
run, with a connector limited to ``concurrency`` connections (reused between requests) and
no proxy from the environment. A request that fails (a timeout, a refused or reset
connection) is recorded with status 0 and the exception's name in ``error``; it does not
stop the run (``request_timeout`` is each request's limit in seconds).

``LoadResult``: ``samples`` (one ``Sample(start, latency, status, error)`` per request,
``start`` in seconds since the run began, ``latency`` in seconds), ``wall`` (seconds),
``concurrency``; and ``count``, ``ok`` (2xx), ``statuses`` (Counter of status codes, 0 for
failures), ``errors`` (Counter of exception names), ``latencies`` (sorted, seconds),
``throughput`` (answered requests per second, failures excluded), ``percentile(q)``,
``p50``, ``p99``, ``max_latency``, ``latencies_of(status)``.

``await probe(url, *, during=awaitable_or_task, every=0.02, session=None,
request_timeout=10.0) -> LoadResult``: GET ``url`` one request at a time, a request every
``every`` seconds, for as long as ``during`` runs (e.g. a health check's latency while ``run_load`` loads
another endpoint); returns the probe's own ``LoadResult`` and leaves ``during``'s result
in ``LoadResult.during``.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

__all__ = ["LoadResult", "Sample", "probe", "run_load"]


@dataclass(frozen=True)
class Sample:
    """One request: when it started (s since the run began), how long it took (s), the
    status (0 when it failed without one) and the exception's name if it failed."""

    start: float
    latency: float
    status: int
    error: str | None = None


@dataclass
class LoadResult:
    concurrency: int
    samples: list[Sample] = field(default_factory=list)
    wall: float = 0.0
    during: Any = None

    @property
    def count(self) -> int:
        return len(self.samples)

    @property
    def ok(self) -> int:
        return sum(200 <= s.status < 300 for s in self.samples)

    @property
    def statuses(self) -> Counter[int]:
        return Counter(s.status for s in self.samples)

    @property
    def errors(self) -> Counter[str]:
        return Counter(s.error for s in self.samples if s.error)

    @property
    def latencies(self) -> list[float]:
        return sorted(s.latency for s in self.samples)

    def latencies_of(self, status: int) -> list[float]:
        return sorted(s.latency for s in self.samples if s.status == status)

    @property
    def throughput(self) -> float:
        answered = sum(s.status != 0 for s in self.samples)
        return answered / self.wall if self.wall > 0 else 0.0

    def percentile(self, q: float) -> float:
        """The q-th percentile (0-100) of all latencies, nearest rank; nan if none."""
        values = self.latencies
        if not values:
            return math.nan
        rank = max(1, math.ceil(q / 100 * len(values)))
        return values[min(rank, len(values)) - 1]

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p99(self) -> float:
        return self.percentile(99)

    @property
    def max_latency(self) -> float:
        return max((s.latency for s in self.samples), default=math.nan)

    def __repr__(self) -> str:
        return (f"<LoadResult {self.count} requests at concurrency {self.concurrency}: "
                f"{self.throughput:.0f}/s, p50 {self.p50 * 1000:.1f} ms, "
                f"p99 {self.p99 * 1000:.1f} ms, statuses {dict(self.statuses)}>")


def _session(limit: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=limit),
                                 trust_env=False)


async def _one(session: aiohttp.ClientSession, method: str, url: str, t0: float,
               seconds: float, read_body: bool, **kwargs: Any) -> Sample:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(seconds):
            async with session.request(method, url, **kwargs) as resp:
                if read_body:
                    await resp.read()
                status = resp.status
        return Sample(started - t0, time.perf_counter() - started, status)
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        return Sample(started - t0, time.perf_counter() - started, 0, type(exc).__name__)


async def run_load(url: str | Callable[[int], str], *, concurrency: int, requests: int,
                   method: str = "GET", session: aiohttp.ClientSession | None = None,
                   request_timeout: float = 10.0, headers: dict[str, str] | None = None,
                   data: Any = None, json: Any = None, read_body: bool = True) -> LoadResult:
    """Send `requests` requests with `concurrency` at a time; see the module doc."""
    if concurrency < 1 or requests < 0:
        raise ValueError("concurrency must be at least 1 and requests at least 0")
    url_of = url if callable(url) else (lambda _i: url)
    numbers = itertools.count()
    result = LoadResult(concurrency=concurrency)
    kwargs: dict[str, Any] = {"headers": headers}
    if data is not None:
        kwargs["data"] = data
    if json is not None:
        kwargs["json"] = json

    async def worker(http: aiohttp.ClientSession, t0: float) -> None:
        while (i := next(numbers)) < requests:
            result.samples.append(
                await _one(http, method, url_of(i), t0, request_timeout, read_body, **kwargs))

    async def drive(http: aiohttp.ClientSession) -> None:
        t0 = time.perf_counter()
        async with asyncio.TaskGroup() as tg:
            for _ in range(min(concurrency, requests)):
                tg.create_task(worker(http, t0))
        result.wall = time.perf_counter() - t0

    if session is not None:
        await drive(session)
    else:
        async with _session(concurrency) as own:
            await drive(own)
    result.samples.sort(key=lambda s: s.start)
    return result


async def probe(url: str, *, during: Awaitable[Any], every: float = 0.02,
                session: aiohttp.ClientSession | None = None,
                request_timeout: float = 10.0) -> LoadResult:
    """GET `url` every `every` seconds (one at a time) while `during` runs; see the module doc."""
    task = during if isinstance(during, asyncio.Future) else asyncio.ensure_future(during)
    result = LoadResult(concurrency=1)

    async def loop(http: aiohttp.ClientSession) -> None:
        t0 = time.perf_counter()
        try:
            while not task.done():
                sample = await _one(http, "GET", url, t0, request_timeout, True)
                result.samples.append(sample)
                pause = every - sample.latency
                if pause > 0 and not task.done():
                    await asyncio.wait([task], timeout=pause)
            result.during = await task
        finally:
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            result.wall = time.perf_counter() - t0

    if session is not None:
        await loop(session)
    else:
        async with _session(1) as own:
            await loop(own)
    return result
