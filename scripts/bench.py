"""Measure the course's speed on this machine: `make bench` (or python scripts/bench.py).

    python scripts/bench.py              # the full run (about 10 minutes on 2 cores)
    python scripts/bench.py --quick      # small N, module 01 only, no anchors (for the tests)
    python scripts/bench.py --out DIR    # write results.json, REPORT.md and plots to DIR

What it measures, in one run, everything on 127.0.0.1:

1. The timing demos against their physical limit: the course's async client
   (asynclab.timing.fetch_async: one session, a new connection per request, all at once)
   fetching N items of 100 ms latency from the lab service, against max(latency, floor),
   where the floor is the same client at zero latency; the floor against the best client
   the course could use (one session whose keep-alive connections are opened beforehand and
   reused, its connector limit sized for N; uvloop only if it is installed). The CPU time
   of the client process and of the lab service's process per request says what bounds the
   floor.
2. The grader: the time an inline `await check("X.Y")` adds to the time the task's own
   scenario has to wait (the learner's function's runs under the check, timed inside the
   kernel); `python -m asynclab.grade --solutions` per module and for the whole course,
   one notebook at a time (-n 0) and in parallel (the default); class grading throughput.
3. Anchors: nbval running the same solution notebooks (what any notebook grader pays to
   run the cells), and nbgrader (installed into a throwaway venv under .asynclab/tmp/)
   grading a small notebook with two async tasks, next to nbval on that notebook.
4. A placeholder for the websocket scale figures (their module does not exist yet).

Absolute times depend on the machine and on what else runs on it; the ratios travel
better. The load average is read at the start and at the end and written in the report.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import datetime
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from asynclab import labservice, manifest, timing  # noqa: E402
from asynclab.generate import CHECK_CALL  # noqa: E402
from asynclab.grading.kernel import Kernel  # noqa: E402
from asynclab.grading.notebook import code_cells, read_notebook  # noqa: E402

SCHEMA = 1
LATENCY = 0.1
PY = sys.executable
TMP = ROOT / ".asynclab" / "tmp"
ANCHOR_VENV = TMP / "anchor-venv"
ANCHOR_PACKAGE = "nbgrader"
PROFILE = ROOT / "asynclab" / "ipython_profile"
WS_NOTE = "module 08 does not exist yet: no websocket scale figures"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def loadavg() -> list[float] | None:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        try:
            return list(os.getloadavg())
        except OSError:
            return None


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) that process ``pid`` has used so far, from /proc."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()  # after the command name; fields[0] is the state
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rounded(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


# ============================================================================ 1. timing demos
def event_loop_name() -> tuple[str, Callable[[], asyncio.AbstractEventLoop] | None]:
    """uvloop's loop where it is installed (never installed by the bench), else asyncio's."""
    try:
        import uvloop  # type: ignore[import-not-found]
    except ImportError:
        return "asyncio (uvloop is not installed)", None
    return f"uvloop {getattr(uvloop, '__version__', '')}".strip(), uvloop.new_event_loop


async def _fetch_on(session: aiohttp.ClientSession, urls: list[str]) -> list[Any]:
    async def one(url: str) -> Any:
        async with session.get(url) as resp:
            resp.raise_for_status()
            return await resp.json()

    return list(await asyncio.gather(*(one(u) for u in urls)))


class Meter:
    """Wall time and the CPU time of this process and of the lab service's process."""

    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid
        self.runs: list[dict[str, float | None]] = []

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        s0 = process_cpu(self.server_pid) if self.server_pid else None
        c0, w0 = time.process_time(), time.perf_counter()
        yield
        wall, client = time.perf_counter() - w0, time.process_time() - c0
        s1 = process_cpu(self.server_pid) if self.server_pid else None
        server = None if s0 is None or s1 is None else s1 - s0
        self.runs.append({"wall": wall, "client_cpu": client, "server_cpu": server})

    def best(self) -> float:
        return min(r["wall"] for r in self.runs)  # type: ignore[type-var]

    def cpu_per_request(self, n: int, key: str) -> float | None:
        values = [r[key] for r in self.runs]
        if any(v is None for v in values) or not values:
            return None
        return sum(values) / (n * len(values))  # type: ignore[arg-type]


async def _measure_point(svc: labservice.LabService, n: int, repeat: int) -> dict[str, Any]:
    """One N: the course's client at LATENCY and at 0 (the floor), the best client at both.
    The four take turns, `repeat` times, so that a change in the machine's load falls on
    all of them rather than on one."""
    meters = {kind: Meter(svc.pid) for kind in ("async", "floor", "best_async", "best_floor")}
    # With latency, all N must be in flight at once to reach the ideal: a limit of N. At zero
    # latency a few connections keep the CPU busy, and fewer connections cost less: 100.
    limits = {"best_async": n, "best_floor": min(n, 100)}

    def urls(delay: float, count: int = n) -> list[str]:
        return [svc.url(f"/items/{i}", delay=delay) for i in range(count)]

    async def course(kind: str, delay: float) -> None:
        with meters[kind]():
            items = await timing.fetch_async(urls(delay))
        assert len(items) == n
        svc.reset()  # the service keeps a record per request: keep /_stats small

    async def best(kind: str, delay: float) -> None:
        limit = limits[kind]
        connector = aiohttp.TCPConnector(limit=limit, limit_per_host=0, keepalive_timeout=300)
        async with aiohttp.ClientSession(connector=connector) as session:
            # Untimed: `limit` requests in flight at once open the connections the timed run reuses.
            await _fetch_on(session, urls(max(delay, 0.05), limit))
            svc.reset()
            with meters[kind]():
                items = await _fetch_on(session, urls(delay))
            assert len(items) == n
            svc.reset()

    for _ in range(repeat):
        await course("async", LATENCY)
        await course("floor", 0)
        await best("best_async", LATENCY)
        await best("best_floor", 0)
    row: dict[str, Any] = {"n": n, "repeat": repeat}
    for kind, meter in meters.items():
        row[f"{kind}_s"] = rounded(meter.best())
        row[f"{kind}_runs"] = [rounded(r["wall"]) for r in meter.runs]
        row[f"{kind}_client_cpu_us"] = rounded((meter.cpu_per_request(n, "client_cpu") or 0) * 1e6, 1)
        cpu = meter.cpu_per_request(n, "server_cpu")
        row[f"{kind}_server_cpu_us"] = None if cpu is None else round(cpu * 1e6, 1)
    row["best_floor_limit"] = limits["best_floor"]
    row["best_async_limit"] = limits["best_async"]
    row["limit_s"] = rounded(max(LATENCY, row["floor_s"]))
    row["async_over_limit"] = rounded(row["async_s"] / row["limit_s"], 2)
    row["async_over_latency"] = rounded(row["async_s"] / LATENCY, 2)
    row["floor_over_best_floor"] = rounded(row["floor_s"] / row["best_floor_s"], 2)
    row["best_async_over_limit"] = rounded(row["best_async_s"] / max(LATENCY, row["best_floor_s"]), 2)
    return row


async def _timing(sizes: list[int], repeats: dict[int, int]) -> dict[str, Any]:
    # 10,000 connections at once need as many file descriptors in each process (the lab
    # service inherits the limit at start).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, 2 * max(sizes) + 1000))
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    rows = []
    with labservice.LabService() as svc:
        await asyncio.to_thread(timing._get, svc.url("/items/0", delay=0))  # warm up
        for n in sizes:
            log(f"timing: N={n}")
            rows.append(await _measure_point(svc, n, repeats[n]))
    return {"latency": LATENCY, "fd_limit": want, "rows": rows}


def measure_timing(sizes: list[int], repeats: dict[int, int]) -> dict[str, Any]:
    loop_name, factory = event_loop_name()
    with asyncio.Runner(loop_factory=factory) as runner:
        result = runner.run(_timing(sizes, repeats))
    result["event_loop"] = loop_name
    return result


# ============================================================================ 2. inline checks
KERNEL_SETUP = r"""
import json as _bench_json, time as _bench_time
from asynclab import checking as _bench_checking
_bench_runs = []
if not hasattr(_bench_checking.CheckContext, "_bench_original_run"):
    _bench_checking.CheckContext._bench_original_run = _bench_checking.CheckContext.run

    async def _bench_timed_run(self, coro, **kwargs):
        start = _bench_time.monotonic()
        try:
            return await _bench_checking.CheckContext._bench_original_run(self, coro, **kwargs)
        finally:
            whole = _bench_time.monotonic() - start
            # the learner's own run (RunInfo.wall); the whole ctx.run when it ended early
            _bench_runs.append(self.last.wall or whole)

    _bench_checking.CheckContext.run = _bench_timed_run
"""

KERNEL_CHECK = r"""
_bench_runs.clear()
_bench_t0 = _bench_time.perf_counter()
_bench_outcome = await check({task!r})
_bench_dt = _bench_time.perf_counter() - _bench_t0
print("BENCH " + _bench_json.dumps({{
    "check_s": _bench_dt, "learner_s": sum(_bench_runs), "learner_runs": len(_bench_runs),
    "status": getattr(_bench_outcome, "status", None)}}))
"""

KERNEL_IMPORT = r"""
_bench_t0 = _bench_time.perf_counter()
__import__("importlib").import_module({checks!r})
print("BENCH " + _bench_json.dumps({{"import_s": _bench_time.perf_counter() - _bench_t0}}))
"""


def _bench_line(output: str) -> dict[str, Any] | None:
    lines = [ln for ln in output.splitlines() if ln.startswith("BENCH ")]
    return json.loads(lines[-1].removeprefix("BENCH ")) if lines else None


def measure_checks(modules: list[manifest.Module], only: set[str] | None = None) -> dict[str, Any]:
    """Each solution's inline checks in a kernel like JupyterLab's (checks live, not graded)."""
    tasks: list[dict[str, Any]] = []
    imports: dict[str, float | None] = {}
    for m in modules:
        log(f"inline checks: module {m.id}")
        try:
            cells = code_cells(read_notebook(m.solutions))
            kernel = Kernel(m.solutions.parent, grading=False)
        except Exception as exc:
            tasks.append({"task": m.id, "module": m.id, "status": f"bench error: {exc}"})
            continue
        try:
            ran = kernel.run(KERNEL_SETUP, 60)
            if ran.status != "ok":
                raise RuntimeError(f"the bench's kernel set-up failed: {ran.error or ran.status}")
            for src in cells:
                if src.strip() and not CHECK_CALL.search(src):
                    ran = kernel.run(src, 120)
                    if ran.status != "ok":
                        raise RuntimeError(f"a solution cell failed: {ran.error or ran.status}")
            # The first check of a module imports its checks: timed apart, once.
            ran = kernel.run(KERNEL_IMPORT.format(checks=m.checks), 120)
            data = _bench_line(ran.output)
            imports[m.id] = rounded(data["import_s"]) if ran.status == "ok" and data else None
            for t in m.tasks:
                if only and t.id not in only:
                    continue
                start = time.perf_counter()
                ran = kernel.run(KERNEL_CHECK.format(task=t.id), t.timeout + 60)
                cell = time.perf_counter() - start
                data = _bench_line(ran.output)
                if ran.status != "ok" or data is None:
                    tasks.append({"task": t.id, "module": m.id, "status": f"bench error: {ran.error or ran.status}"})
                    continue
                row = {"task": t.id, "module": m.id, "cell_s": cell, **data}
                row["overhead_s"] = data["check_s"] - data["learner_s"]
                row["overhead_share"] = row["overhead_s"] / data["check_s"] if data["check_s"] else None
                tasks.append({k: rounded(v) if isinstance(v, float) else v for k, v in row.items()})
        except Exception as exc:  # the module's notebook or checks are broken: say so, go on
            tasks.append({"task": m.id, "module": m.id, "status": f"bench error: {exc}"})
        finally:
            kernel.shutdown()
    ok = [t for t in tasks if "overhead_s" in t]
    summary = {}
    if ok:
        overheads = sorted(t["overhead_s"] for t in ok)
        summary = {
            "tasks": len(ok), "passed": sum(t["status"] == "passed" for t in ok),
            "check_s_total": rounded(sum(t["check_s"] for t in ok)),
            "learner_s_total": rounded(sum(t["learner_s"] for t in ok)),
            "overhead_s_total": rounded(sum(overheads)),
            "overhead_s_median": rounded(overheads[len(overheads) // 2]),
            "overhead_s_max": rounded(overheads[-1]),
            "overhead_share": rounded(sum(overheads) / sum(t["check_s"] for t in ok), 3),
        }
    return {"tasks": tasks, "summary": summary, "import_s": imports}


# ============================================================================ 2. the grader
def timed_run(cmd: list[str], *, env: dict[str, str] | None = None, cwd: Path = ROOT,
              timeout: float = 900) -> dict[str, Any]:
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {"seconds": rounded(time.perf_counter() - start), "exit": None, "tail": "timed out"}
    tail = (proc.stdout + proc.stderr).strip().splitlines()[-6:]
    return {"seconds": rounded(time.perf_counter() - start), "exit": proc.returncode, "tail": "\n".join(tail)}


def grade_cmd(*args: str) -> list[str]:
    return [PY, "-m", "asynclab.grade", "--no-hints", *args]


def measure_grader(modules: list[manifest.Module], *, whole: bool, class_size: int,
                   only: set[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"cores": os.cpu_count(), "per_module": []}
    selection = [arg for m in modules for arg in ("--module", m.id)]
    for m in modules:
        log(f"grader: module {m.id}, one process (make check MODULE={m.id} on the solutions)")
        tasks = [t.id for t in m.tasks if not only or t.id in only]
        keyword = ["-k", " or ".join(tasks)] if only else []
        run = timed_run(grade_cmd("--solutions", "--module", m.id, *keyword))
        out["per_module"].append({"module": m.id, "tasks": len(tasks), **run})
    if whole:
        log("grader: the whole course, one notebook at a time (-n 0)")
        out["course_sequential"] = timed_run(grade_cmd("--solutions", *selection, "-n", "0"))
        log("grader: the whole course, in parallel (default workers)")
        out["course_parallel"] = timed_run(grade_cmd("--solutions", *selection))
        out["parallel_workers"] = min(os.cpu_count() or 1, len(modules))
        seq, par = out["course_sequential"]["seconds"], out["course_parallel"]["seconds"]
        out["parallel_over_sequential"] = rounded(par / seq, 3)
        out["sum_of_modules_s"] = rounded(sum(r["seconds"] for r in out["per_module"]))
    if class_size:
        out["class"] = measure_class(modules[0], class_size)
    return out


def measure_class(m: manifest.Module, size: int) -> dict[str, Any]:
    """A synthetic class: half the copies are the solution, half the untouched exercise."""
    log(f"grader: a class of {size} copies of module {m.id}")
    stub = ROOT / "notebooks" / m.exercises.name
    with tempfile.TemporaryDirectory(prefix="bench-class-", dir=TMP) as tmp:
        root = Path(tmp) / "class"
        kinds = []
        for i in range(size):
            kind = "solution" if i % 2 == 0 else "stub"
            kinds.append(kind)
            folder = root / f"learner{i + 1:02d}"
            folder.mkdir(parents=True)
            shutil.copy(m.solutions if kind == "solution" else stub, folder / m.exercises.name)
        grades = Path(tmp) / "grades.csv"
        run = timed_run(grade_cmd("--class-dir", str(root), "--module", m.id, "--csv", str(grades)))
        points = {}
        if grades.exists():
            with grades.open(newline="", encoding="utf-8") as f:
                points = {row["learner"]: f"{row['earned']}/{row['points']}" for row in csv.DictReader(f)}
    workers = min(os.cpu_count() or 1, size)
    return {"module": m.id, "notebooks": size, "solutions": kinds.count("solution"), "stubs": kinds.count("stub"),
            "workers": workers, **run, "notebooks_per_minute": rounded(size / run["seconds"] * 60, 1),
            "points": points}


# ============================================================================ 3. anchors
def nbval_cmd(notebooks: list[Path], junit: Path, python: str = PY) -> list[str]:
    return [python, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--nbval-lax", "--nbval-current-env",
            "--nbval-cell-timeout", "120", "-o", "testpaths=", "--junitxml", str(junit),
            *[str(p) for p in notebooks]]


def junit_by_file(junit: Path) -> dict[str, float]:
    if not junit.exists():
        return {}
    totals: dict[str, float] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        found = re.search(r"([^./\\]+)\.ipynb", case.get("file") or case.get("classname") or "")
        name = f"{found.group(1)}.ipynb" if found else "?"
        totals[name] = totals.get(name, 0.0) + float(case.get("time", 0))
    return {k: round(v, 3) for k, v in totals.items()}


def nbval_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"IPYTHONDIR": str(PROFILE), "MPLBACKEND": "Agg"})
    for name in ("ASYNCLAB_STRICT", "ASYNCLAB_GRADING", "PYTEST_ADDOPTS"):
        env.pop(name, None)
    return env


def measure_nbval(modules: list[manifest.Module]) -> dict[str, Any]:
    log("anchors: nbval --nbval-lax on the solution notebooks (one process)")
    with tempfile.TemporaryDirectory(prefix="bench-nbval-", dir=TMP) as tmp:
        junit = Path(tmp) / "junit.xml"
        run = timed_run(nbval_cmd([m.solutions for m in modules], junit), env=nbval_env())
        cells = junit_by_file(junit)
    return {"notebooks": len(modules), **run, "cells_time_by_notebook": cells}


ANCHOR_TASKS = [
    ("gather_all", 2, '''\
async def gather_all(delays):
    """Run fake_fetch(i, d) for every delay at once; return the results in order."""
    ### BEGIN SOLUTION
    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(fake_fetch(i, d)) for i, d in enumerate(delays)]
    return [t.result() for t in tasks]
    ### END SOLUTION''', '''\
IN_FLIGHT.update(now=0, peak=0)
before = asyncio.all_tasks()
start = time.perf_counter()
result = await gather_all([0.2, 0.1, 0.15, 0.05])
elapsed = time.perf_counter() - start
assert result == [0, 10, 20, 30], f"wrong results or order: {result}"
assert IN_FLIGHT["peak"] == 4, f"the fetches ran {IN_FLIGHT['peak']} at a time, not all at once"
assert elapsed < 0.45, f"took {elapsed:.2f} s: not concurrent"
assert not [t for t in asyncio.all_tasks() - before if not t.done()], "tasks left running"'''),
    ("first_done", 3, '''\
async def first_done(delays):
    """Return the first fake_fetch(i, d) to finish; cancel the others and wait for them."""
    ### BEGIN SOLUTION
    tasks = [asyncio.create_task(fake_fetch(i, d)) for i, d in enumerate(delays)]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        return next(iter(done)).result()
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    ### END SOLUTION''', '''\
CANCELLED.clear()
before = asyncio.all_tasks()
start = time.perf_counter()
result = await first_done([0.3, 0.05, 0.2])
elapsed = time.perf_counter() - start
assert result == 10, f"expected the fastest (10), got {result}"
assert elapsed < 0.25, f"took {elapsed:.2f} s: did it wait for all?"
assert sorted(CANCELLED) == [0, 2], f"the slower fetches were not cancelled: {CANCELLED}"
assert not [t for t in asyncio.all_tasks() - before if not t.done()], "tasks left running"'''),
]

ANCHOR_SETUP = '''\
import asyncio
import time

IN_FLIGHT = {"now": 0, "peak": 0}
CANCELLED = []


async def fake_fetch(i, delay):
    """A stand-in for a request: waits `delay` seconds, returns 10 * i."""
    IN_FLIGHT["now"] += 1
    IN_FLIGHT["peak"] = max(IN_FLIGHT["peak"], IN_FLIGHT["now"])
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        CANCELLED.append(i)
        raise
    finally:
        IN_FLIGHT["now"] -= 1
    return 10 * i'''


def anchor_notebook(path: Path, *, nbgrader_metadata: bool) -> None:
    """A small notebook with two async tasks and their tests (nbgrader's cell metadata)."""
    import nbformat

    def meta(**kw: Any) -> dict[str, Any]:
        if not nbgrader_metadata:
            return {}
        return {"nbgrader": {"schema_version": 3, "locked": False, "solution": False, "grade": False, **kw}}

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells.append(nbformat.v4.new_code_cell(ANCHOR_SETUP, metadata=meta(grade_id="setup", locked=True)))
    for name, points, solution, test in ANCHOR_TASKS:
        nb.cells.append(nbformat.v4.new_markdown_cell(f"## {name} ({points} points)"))
        nb.cells.append(nbformat.v4.new_code_cell(solution, metadata=meta(grade_id=name, solution=True)))
        nb.cells.append(nbformat.v4.new_code_cell(test, metadata=meta(grade_id=f"test_{name}", grade=True,
                                                                         locked=True, points=points)))
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def anchor_venv() -> dict[str, Any]:
    """nbgrader in a venv of its own under .asynclab/tmp/ (kept for the next run)."""
    exe = ANCHOR_VENV / "bin" / "nbgrader"
    python = ANCHOR_VENV / "bin" / "python"
    if exe.exists() and subprocess.run([str(python), "-c", "import nbgrader"], capture_output=True).returncode == 0:
        return {"venv": str(ANCHOR_VENV.relative_to(ROOT)), "installed_now": False}
    log(f"anchors: installing {ANCHOR_PACKAGE} into {ANCHOR_VENV.relative_to(ROOT)} (1-2 minutes the first time)")
    shutil.rmtree(ANCHOR_VENV, ignore_errors=True)
    base = Path(getattr(sys, "_base_executable", sys.executable))
    start = time.perf_counter()
    made = subprocess.run([str(base), "-m", "venv", str(ANCHOR_VENV)], capture_output=True, text=True)
    if made.returncode != 0:
        raise RuntimeError(f"could not create the venv: {made.stderr.strip()[-300:]}")
    pip = subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", ANCHOR_PACKAGE],
                         capture_output=True, text=True, timeout=900)
    if pip.returncode != 0:
        shutil.rmtree(ANCHOR_VENV, ignore_errors=True)
        raise RuntimeError(f"pip install {ANCHOR_PACKAGE} failed: {pip.stderr.strip()[-500:]}")
    return {"venv": str(ANCHOR_VENV.relative_to(ROOT)), "installed_now": True,
            "install_s": rounded(time.perf_counter() - start)}


def measure_nbgrader() -> dict[str, Any]:
    out: dict[str, Any] = {"package": ANCHOR_PACKAGE}
    try:
        out.update(anchor_venv())
    except Exception as exc:  # no network, no wheel: the report says so and the bench goes on
        out.update(status="install failed", error=str(exc)[-600:])
        return out
    python = ANCHOR_VENV / "bin" / "python"
    nbgrader = str(ANCHOR_VENV / "bin" / "nbgrader")
    version = subprocess.run([nbgrader, "--version"], capture_output=True, text=True).stdout.strip().splitlines()
    out["version"] = version[-1].removeprefix("nbgrader version ").strip() if version else "?"
    with tempfile.TemporaryDirectory(prefix="bench-nbgrader-", dir=TMP) as tmp:
        course = Path(tmp)
        (course / "nbgrader_config.py").write_text(
            "c = get_config()\n"
            f"c.CourseDirectory.root = {str(course)!r}\n"
            "c.CourseDirectory.course_id = 'bench'\n"
            f"c.CourseDirectory.db_url = 'sqlite:///{course}/gradebook.db'\n"
            "c.Exchange.assignment_dir = '.'\n", encoding="utf-8")
        anchor_notebook(course / "source" / "ps1" / "ps1.ipynb", nbgrader_metadata=True)
        env = dict(os.environ)
        for name in ("IPYTHONDIR", "JUPYTER_PATH", "PYTHONPATH", "VIRTUAL_ENV"):
            env.pop(name, None)
        env["JUPYTER_CONFIG_DIR"] = str(course / ".jupyter")
        env["PATH"] = f"{ANCHOR_VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        log("anchors: nbgrader generate_assignment")
        gen = timed_run([nbgrader, "generate_assignment", "ps1", "--force", "--create"], env=env, cwd=course)
        out["generate_assignment"] = gen
        released = course / "release" / "ps1" / "ps1.ipynb"
        if gen["exit"] != 0 or not released.exists():
            out.update(status="generate_assignment failed")
            return out
        # A class like the course's: half right answers (the source), half untouched stubs.
        learners = {"alice": course / "source" / "ps1" / "ps1.ipynb", "bob": released}
        for who, src in learners.items():
            dest = course / "submitted" / who / "ps1" / "ps1.ipynb"
            dest.parent.mkdir(parents=True)
            shutil.copy(src, dest)
        log("anchors: nbgrader autograde (2 notebooks, one at a time)")
        auto = timed_run([nbgrader, "autograde", "ps1", "--force", "--create"], env=env, cwd=course)
        out["autograde"] = auto
        # The grades, from nbgrader's own database.
        query = ("import sys; from nbgrader.api import Gradebook\n"
                 f"gb = Gradebook('sqlite:///{course}/gradebook.db')\n"
                 "print({s.student.id: [s.score, s.max_score] for s in gb.assignment_submissions('ps1')})\n"
                 "gb.close()")
        scores = subprocess.run([str(python), "-c", query], capture_output=True, text=True, cwd=course, env=env)
        out["scores"] = scores.stdout.strip() or scores.stderr.strip()[-300:]
        out["status"] = "ok" if auto["exit"] == 0 else "autograde failed"
        out["notebooks"] = len(learners)
        out["seconds_per_notebook"] = rounded(auto["seconds"] / len(learners), 3)
        log("anchors: nbval on the same small notebook (the course's venv)")
        plain = course / "plain" / "anchor.ipynb"
        anchor_notebook(plain, nbgrader_metadata=False)
        junit = course / "junit.xml"
        out["nbval_same_notebook"] = timed_run(nbval_cmd([plain], junit), env=nbval_env())
    return out


# ============================================================================ report
def fmt(value: Any, unit: str = " s", digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, (int, float)):
        return f"{value:,.{digits}f}{unit}"
    return str(value)


def plot_timing(timing_result: dict[str, Any], out: Path) -> str:
    rows = timing_result["rows"]
    ns = [r["n"] for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    series = [("async_s", "course's async client, 100 ms latency", "o", "-", timing.COLORS["async"]),
              ("limit_s", "limit: max(latency, floor)", "", "--", "black"),
              ("floor_s", "floor: course's client, zero latency", ".", ":", timing.COLORS["floor"]),
              ("best_async_s", "best client, 100 ms latency", "s", "-", "#9467bd"),
              ("best_floor_s", "best client, zero latency", "D", ":", "#2ca02c")]
    for key, label, marker, style, color in series:
        ax.plot(ns, [r[key] for r in rows], linestyle=style, marker=marker or None, color=color, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("N (requests)")
    ax.set_ylabel("wall time (s), best run")
    ax.set_title("Fetching N items from the lab service")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(out / "timing.png", dpi=110)
    plt.close(fig)
    return "timing.png"


def plot_checks(checks: dict[str, Any], out: Path) -> str:
    rows = [t for t in checks["tasks"] if "overhead_s" in t]
    fig, ax = plt.subplots(figsize=(max(6, 0.45 * len(rows) + 2), 4))
    names = [t["task"] for t in rows]
    learner = [t["learner_s"] for t in rows]
    overhead = [max(0.0, t["overhead_s"]) for t in rows]
    ax.bar(names, learner, color=timing.COLORS["async"], label="the task's scenario (learner's code running)")
    ax.bar(names, overhead, bottom=learner, color="#ff7f0e", label="the check's own overhead")
    ax.set_xlabel("task")
    ax.set_ylabel("seconds")
    ax.set_title("Inline await check(...): where the time goes")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(out / "checks.png", dpi=110)
    plt.close(fig)
    return "checks.png"


def plot_grader(grader: dict[str, Any], nbval: dict[str, Any] | None, out: Path) -> str:
    fig, ax = plt.subplots(figsize=(7, 4))
    mods = [r["module"] for r in grader["per_module"]]
    ours = [r["seconds"] for r in grader["per_module"]]
    width = 0.4
    xs = range(len(mods))
    ax.bar([x - width / 2 for x in xs], ours, width, label="asynclab.grade --module NN (whole process)",
           color=timing.COLORS["async"])
    if nbval and nbval.get("cells_time_by_notebook"):
        by_nb = nbval["cells_time_by_notebook"]
        vals = [next((v for k, v in by_nb.items() if k.startswith(m)), 0) for m in mods]
        ax.bar([x + width / 2 for x in xs], vals, width, label="nbval: the notebook's cells (incl. inline checks)",
               color=timing.COLORS["floor"])
    ax.set_xticks(list(xs), mods)
    ax.set_xlabel("module (solution notebook)")
    ax.set_ylabel("seconds")
    ax.set_title("Grading one module's notebook")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(out / "grader.png", dpi=110)
    plt.close(fig)
    return "grader.png"


def write_report(res: dict[str, Any], out: Path) -> None:
    m = res["machine"]
    lines = [
        "# Benchmark: the course's speed",
        "",
        f"Measured by `make bench` ({'`--quick`, ' if res['quick'] else ''}`scripts/bench.py`) on {res['date']}: "
        f"{m['cores']} cores, Python {m['python']}, {m['platform']}; event loop: {res['timing']['event_loop']}; "
        f"modules {', '.join(res['modules'])}. "
        f"The machine was shared and busy: load average {m['loadavg_start']} at the start, "
        f"{m['loadavg_end']} at the end (1, 5, 15 min). The run took {fmt(res['duration_s'], ' s', 0)}. "
        "Absolute times vary between machines and with the load; the ratios travel better. "
        "Every figure is in `results.json`.",
        "",
        "## 1. Timing demos against the physical limit",
        "",
        "N requests to the lab service's `/items/{id}?delay=0.1`, best of the runs shown. "
        "*Course's client*: `asynclab.timing.fetch_async` (what the lessons' timing demos run): one "
        "session, a new connection per request, all at once. *Floor*: the same client at zero "
        "latency. *Limit*: max(latency, floor), the best this client can do. *Best client*: one "
        "session whose keep-alive connections were opened by an untimed pass and are reused, "
        "connector limit N at 100 ms (all in flight at once), min(N, 100) at zero latency. The four "
        "take turns, round after round (rounds: " + ", ".join(
            f"{r['repeat']} at N = {r['n']:,}" for r in res["timing"]["rows"]) + "). CPU per request: this process "
        "(client) and the lab service's process (from /proc), averaged over the runs.",
        "",
        "| N | async (100 ms) | limit | async / limit | floor | best floor | floor / best floor | best async (100 ms) | CPU µs/request, client + server: course's floor | best floor |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in res["timing"]["rows"]:
        if r["n"] < 1000:  # a few CPU ticks of 10 ms: not a measurement
            r = {**r, **{k: None for k in r if k.endswith("_cpu_us")}}
        lines.append(
            f"| {r['n']:,} | {fmt(r['async_s'], ' s', 3)} | {fmt(r['limit_s'], ' s', 3)} | "
            f"{fmt(r['async_over_limit'], '×')} | {fmt(r['floor_s'], ' s', 3)} | "
            f"{fmt(r['best_floor_s'], ' s', 3)} | {fmt(r['floor_over_best_floor'], '×')} | "
            f"{fmt(r['best_async_s'], ' s', 3)} | {fmt(r['floor_client_cpu_us'], '', 0)} + "
            f"{fmt(r['floor_server_cpu_us'], '', 0)} | {fmt(r['best_floor_client_cpu_us'], '', 0)} + "
            f"{fmt(r['best_floor_server_cpu_us'], '', 0)} |")
    lines += ["", f"![timing]({res['plots']['timing']})", "", res["timing"]["finding"], ""]

    c = res["checks"]
    s = c["summary"]
    lines += [
        "## 2. The grader",
        "",
        "### Inline `await check(...)`: the overhead a learner feels",
        "",
        "Method: each module's solution notebook runs in a kernel like JupyterLab's (checks live, "
        "not graded), every cell but the check cells; then each `await check(\"X.Y\")` runs in a "
        "cell of its own, timed inside the kernel. The bench wraps `CheckContext.run` (the one "
        "way a check runs the learner's function) and adds up the wall time of the learner's "
        "function's own runs (`RunInfo.wall`): that is the time the task's scenario must wait "
        "(its latencies, timeouts, the learner's code). Overhead = the check's time minus that. "
        "*Cell* is the same cell timed from outside the kernel (the round trip a learner waits for). "
        "The first check of a module also imports that module's checks; that one-time cost was "
        "timed apart (below) and is not in the rows.",
        "",
        "| task | check | scenario (learner's runs) | overhead | overhead share | cell | status |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for t in c["tasks"]:
        if "overhead_s" not in t:
            lines.append(f"| {t['task']} | – | – | – | – | – | {t['status']} |")
            continue
        share = f"{t['overhead_share'] * 100:.0f} %" if t["overhead_share"] is not None else "–"
        lines.append(f"| {t['task']} | {fmt(t['check_s'])} | {fmt(t['learner_s'])} ({t['learner_runs']} run{'s' if t['learner_runs'] != 1 else ''}) | "
                     f"{fmt(t['overhead_s'])} | {share} | {fmt(t['cell_s'])} | {t['status']} |")
    if s:
        lines += ["", f"All {s['tasks']} tasks: checks {fmt(s['check_s_total'])} in all, of which the scenarios "
                  f"{fmt(s['learner_s_total'])} and overhead {fmt(s['overhead_s_total'])} "
                  f"({s['overhead_share'] * 100:.0f} %); overhead per check: median {fmt(s['overhead_s_median'])}, "
                  f"largest {fmt(s['overhead_s_max'])}."]
    if c["import_s"]:
        lines += ["", "Importing a module's checks (once, at its first check): " + ", ".join(
            f"{k} {fmt(v)}" for k, v in c["import_s"].items()) + "."]
    lines += ["", f"![checks]({res['plots']['checks']})", ""]

    g = res["grader"]
    lines += ["### `make check` on the solutions (`python -m asynclab.grade --solutions`)", "",
              "| run | wall time | exit |", "|---|---:|---:|"]
    for r in g["per_module"]:
        lines.append(f"| module {r['module']} ({r['tasks']} tasks) | {fmt(r['seconds'])} | {r['exit']} |")
    if "course_sequential" in g:
        lines += [f"| whole course, one notebook at a time (`-n 0`) | {fmt(g['course_sequential']['seconds'])} | "
                  f"{g['course_sequential']['exit']} |",
                  f"| whole course, in parallel ({g['parallel_workers']} workers, the default) | "
                  f"{fmt(g['course_parallel']['seconds'])} | {g['course_parallel']['exit']} |",
                  "", f"Parallel / sequential: **{g['parallel_over_sequential']:.2f}** "
                  f"(on {g['cores']} cores; the modules one by one add up to {fmt(g['sum_of_modules_s'])})."]
    if "class" in g:
        k = g["class"]
        lines += ["", f"Class grading: {k['notebooks']} copies of module {k['module']} ({k['solutions']} solutions, "
                  f"{k['stubs']} untouched) with `--class-dir`, {k['workers']} at a time: {fmt(k['seconds'])}, "
                  f"**{k['notebooks_per_minute']} notebooks per minute** (exit {k['exit']})."]
    lines += ["", f"![grader]({res['plots']['grader']})", ""]

    a = res["anchors"]
    lines += ["## 3. Anchors", ""]
    side = anchors_table(g, a)
    if side:
        lines += side + [""]
    nv = a.get("nbval_solutions")
    if nv:
        lines += [f"nbval (`pytest --nbval-lax`) running the same {nv['notebooks']} solution notebook(s), inline checks "
                  f"included, in one process: {fmt(nv['seconds'])} (exit {nv['exit']}); the cells' own time per "
                  "notebook: " + ", ".join(f"{k} {v:.1f} s" for k, v in nv["cells_time_by_notebook"].items()) + "."]
        if "course_sequential" in g:
            ratio = g["course_sequential"]["seconds"] / nv["seconds"]
            lines += ["", f"The course's grader, sequential, against nbval: **{ratio:.2f}×** "
                      f"({fmt(g['course_sequential']['seconds'])} / {fmt(nv['seconds'])})."]
        lines.append("")
    nb = a.get("nbgrader")
    if nb is None:
        lines += ["nbgrader: not run (`--quick`).", ""]
    elif nb.get("status") != "ok":
        lines += [f"nbgrader: **{nb.get('status')}**. {nb.get('error', '')}".strip(), ""]
    else:
        inst = (f"installed now in {fmt(nb.get('install_s'), ' s', 0)}" if nb.get("installed_now")
                else "reused from an earlier run")
        same = nb["nbval_same_notebook"]
        lines += [
            f"nbgrader {nb['version']} ({inst}, in `{nb['venv']}`), grading a small notebook with two async tasks "
            "(a TaskGroup gather and a first-completed-then-cancel, tests as assert cells checking results, "
            "concurrency, cancellation and leftover tasks): `nbgrader autograde` of 2 submissions (one right, one "
            f"untouched) took {fmt(nb['autograde']['seconds'])}, {fmt(nb['seconds_per_notebook'])} per notebook "
            f"(scores {nb['scores']}); `generate_assignment` {fmt(nb['generate_assignment']['seconds'])}. "
            f"nbval on the same notebook: {fmt(same['seconds'])} (exit {same['exit']}).", ""]
    lines += ["## 4. WebSockets at scale", "", f"Pending: {WS_NOTE}.", ""]
    (out / "REPORT.md").write_text("\n".join(lines), encoding="utf-8")


def anchors_table(g: dict[str, Any], a: dict[str, Any]) -> list[str]:
    """The graders side by side: whole processes, seconds per notebook."""
    rows = []
    nmods = len(g["per_module"])
    if "course_sequential" in g:
        rows.append((f"`asynclab.grade --solutions -n 0` ({nmods} solution notebooks)", nmods,
                     g["course_sequential"]["seconds"]))
        rows.append((f"`asynclab.grade --solutions` ({g['parallel_workers']} workers)", nmods,
                     g["course_parallel"]["seconds"]))
    nv = a.get("nbval_solutions")
    if nv:
        rows.append(("`pytest --nbval-lax`, the same notebooks (inline checks run)", nv["notebooks"], nv["seconds"]))
    if "class" in g:
        k = g["class"]
        rows.append((f"`asynclab.grade --class-dir` ({k['notebooks']} copies of module {k['module']}, "
                     f"{k['workers']} workers)", k["notebooks"], k["seconds"]))
    nb = a.get("nbgrader")
    if nb and nb.get("status") == "ok":
        rows.append((f"`nbgrader autograde` (2 copies of the 2-task notebook), nbgrader {nb['version']}",
                     nb["notebooks"], nb["autograde"]["seconds"]))
        rows.append(("`pytest --nbval-lax` on that 2-task notebook", 1, nb["nbval_same_notebook"]["seconds"]))
    if not rows:
        return []
    out = ["Whole processes, start-up included:", "", "| grader | notebooks | wall time | per notebook |",
           "|---|---:|---:|---:|"]
    out += [f"| {name} | {n} | {fmt(sec)} | {fmt(sec / n)} |" for name, n, sec in rows]
    return out


def timing_finding(rows: list[dict[str, Any]]) -> str:
    """What the figures say, in words: how close the demos come to their limit, what bounds
    the floor (from the CPU figures)."""
    near = ", ".join(f"{r['async_over_limit']:.2f}× at N = {r['n']:,}" for r in rows)
    words = [f"The course's async client comes close to its limit: {near}."]
    above = [r for r in rows if r["floor_s"] > LATENCY]
    if above:
        words.append("From N = " + f"{above[0]['n']:,}" + " on the limit is the floor, not the latency: "
                     + ", ".join(f"{r['async_s']:.2f} s for N = {r['n']:,} ({r['async_over_latency']:.1f}× the "
                                 f"100 ms latency)" for r in above) + ".")
    parts = []
    for r in rows:
        client, server = r.get("floor_client_cpu_us"), r.get("floor_server_cpu_us")
        if server is None or client is None or r["n"] < 1000:
            continue
        cpu = (client + server) * r["n"] / 1e6
        parts.append(f"at N = {r['n']:,} the course's client spends {client:.0f} µs of CPU per request and the "
                     f"lab service {server:.0f} µs: {cpu:.2f} s of CPU for a {r['floor_s']:.2f} s floor")
    if parts:
        words.append(
            "What bounds the floor is CPU per request, on both sides: " + "; ".join(parts) + ". "
            "Client and server are one process each (each on one core at most) and share the two cores with "
            "each other and with the machine's other programs, so the floor lies between the larger of the "
            "two CPU times and their sum.")
    else:
        words.append("CPU per request is measured from N = 1,000 on (the clock's tick is 10 ms).")
    ratios = ", ".join(f"{r['floor_over_best_floor']:.2f}× at N = {r['n']:,}" for r in rows)
    words.append(f"The best client's floor is lower (the course's floor over the best: {ratios}): it opens no "
                 "new connection per request, which also shows in its CPU per request.")
    return " ".join(words)


# ============================================================================ main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench.py", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small N, module 01 only, no anchors (for the tests)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench", help="where to write the report (default bench/)")
    parser.add_argument("--module", "-m", action="append",
                        help="measure only this module (repeatable; default: every graded module)")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    TMP.mkdir(parents=True, exist_ok=True)
    started, load_start = time.perf_counter(), loadavg()
    log(f"load average at the start: {load_start}; writing to {out}")

    try:
        graded = manifest.select(args.module) if args.module else manifest.graded_modules()
    except KeyError as exc:
        parser.error(str(exc.args[0]))
    if args.quick:  # one task of module 01: the tests' run stays short
        sizes, repeats, modules = [10, 50], {10: 2, 50: 2}, graded[:1]
        only: set[str] | None = {graded[0].tasks[-1].id}
    else:
        sizes, repeats, modules, only = [100, 1000, 10_000], {100: 3, 1000: 3, 10_000: 2}, graded, None

    res: dict[str, Any] = {"schema": SCHEMA, "quick": args.quick, "modules": [m.id for m in modules],
                           "tasks": sorted(only) if only else "all",
                           "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")}
    res["timing"] = measure_timing(sizes, repeats)
    res["timing"]["finding"] = timing_finding(res["timing"]["rows"])
    res["checks"] = measure_checks(modules, only)
    res["grader"] = measure_grader(modules, whole=not args.quick, class_size=0 if args.quick else 6, only=only)
    res["anchors"] = {}
    if not args.quick:
        res["anchors"]["nbval_solutions"] = measure_nbval(modules)
        res["anchors"]["nbgrader"] = measure_nbgrader()
    res["websockets"] = {"status": "pending", "note": WS_NOTE}
    res["machine"] = {"cores": os.cpu_count(), "python": platform.python_version(),
                      "implementation": platform.python_implementation(), "platform": platform.platform(),
                      "loadavg_start": load_start, "loadavg_end": loadavg()}
    res["duration_s"] = rounded(time.perf_counter() - started, 1)
    res["plots"] = {"timing": plot_timing(res["timing"], out), "checks": plot_checks(res["checks"], out),
                    "grader": plot_grader(res["grader"], res["anchors"].get("nbval_solutions"), out)}
    (out / "results.json").write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_report(res, out)
    log(f"done in {res['duration_s']} s; load average at the end: {res['machine']['loadavg_end']}; "
        f"see {out / 'REPORT.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
