"""Flakiness budget zero: grade the solution notebooks many times on a machine kept busy.

    python scripts/soak.py                 # 20 runs over every module's solutions
    python scripts/soak.py --runs 5 --module 01

Each run is the grader as learners run it (``python -m asynclab.grade --solutions``: pytest
with the course's plugin, modules graded in parallel on all cores with pytest-xdist).
While it runs, one CPU burner per core keeps the machine busy (as in a workshop where
JupyterLab, a browser and a video call share a laptop). It fails when any task of any run
does not pass, or when two runs give different scores. The burners are stopped at the end,
also on failure or Ctrl-C, and stop by themselves if this script dies.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from asynclab import manifest  # noqa: E402

BURNER = """
import os
parent = os.getppid()
n = 0
while True:
    n += 1
    if n % 2_000_000 == 0 and os.getppid() != parent:
        break  # the soak run is gone: stop burning
"""


def start_burners(count: int) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen([sys.executable, "-c", BURNER]) for _ in range(count)]


def stop_burners(burners: list[subprocess.Popen[bytes]]) -> None:
    for p in burners:
        if p.poll() is None:
            p.kill()
    for p in burners:
        p.wait()


def grade_solutions(modules: list[manifest.Module], workers: int | None) -> dict:
    """One run of the grader over the solutions; its JSON report."""
    with tempfile.TemporaryDirectory(prefix="asynclab-soak-") as tmp:
        report = Path(tmp) / "report.json"
        args = [sys.executable, "-m", "asynclab.grade", "--solutions", "--json", str(report)]
        args += [a for m in modules for a in ("--module", m.id)]
        if workers is not None:
            args += ["-n", str(workers)]
        done = subprocess.run(args, capture_output=True, text=True, cwd=manifest.ROOT)
        if not report.exists():
            raise RuntimeError(f"the grader wrote no report (exit {done.returncode}):\n{done.stdout}{done.stderr}")
        return json.loads(report.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--module", "-m", action="append", help="module id (repeatable; default: all)")
    parser.add_argument("--burners", type=int, default=os.cpu_count() or 2, help="CPU burners (default: one per core)")
    parser.add_argument("-n", "--workers", type=int, help="notebooks graded at once (default: the grader's, one per core)")
    args = parser.parse_args(argv)
    modules = [manifest.module(m) for m in args.module] if args.module else list(manifest.graded_modules())
    modules = [m for m in modules if m.tasks and m.solutions.exists()]
    if not modules:
        print("nothing to soak: no module with tasks and a solution notebook")
        return 2
    print(
        f"soak: {args.runs} runs over the solutions of module(s) {', '.join(m.id for m in modules)}, "
        f"with {args.burners} CPU burner(s)",
        flush=True,
    )
    signatures: list[tuple[tuple[str, str, int], ...]] = []
    times: list[float] = []
    failures: list[str] = []
    burners = start_burners(args.burners)
    try:
        for run in range(1, args.runs + 1):
            started = time.monotonic()
            data = grade_solutions(modules, args.workers)
            elapsed = time.monotonic() - started
            times.append(elapsed)
            outcomes = [t for m in data["modules"] for t in m["tasks"]]
            signatures.append(tuple((o["task"], o["status"], o["earned"]) for o in outcomes))
            bad = [f"{o['task']} {o['status']}: {o['message']}" for o in outcomes if o["status"] != "passed"]
            failures += [f"run {run}: {b}" for b in bad]
            earned, points = data["earned"], data["points"]
            print(f"run {run:>2}/{args.runs}: {earned}/{points} points in {elapsed:.1f} s" + (f"; {len(bad)} not passed" if bad else ""), flush=True)
            for b in bad:
                print(f"    {b}", flush=True)
    except KeyboardInterrupt:
        print(f"\nsoak stopped after {len(times)} run(s)")
        return 130
    finally:
        stop_burners(burners)
    common = max(set(signatures), key=signatures.count)
    identical = signatures.count(common)
    print(
        f"\nsoak summary: {len(times)} runs, {identical} identical, "
        f"time min {min(times):.1f} s / median {statistics.median(times):.1f} s / max {max(times):.1f} s"
    )
    if failures or identical != len(signatures):
        print(f"FAILED: {len(failures)} task result(s) not passed, {len(signatures) - identical} run(s) differ")
        return 1
    print("OK: every run gave full marks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
