"""The benchmark's code runs (scripts/bench.py --quick) and writes a well-formed report.

Nothing here depends on how fast the machine is: only the shape of the results, their
internal consistency (ratios agree with the seconds they come from) and that the run
left its files where it was told.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "bench.py"


def _bench_module() -> Any:
    spec = importlib.util.spec_from_file_location("bench_script", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("bench")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASYNCLAB_", "PYTEST_"))}
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--out", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return out, json.loads((out / "results.json").read_text(encoding="utf-8"))


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and value > 0


def test_quick_run_writes_report_plots_and_results(quick_run: tuple[Path, dict[str, Any]]) -> None:
    out, res = quick_run
    assert res["schema"] == 1 and res["quick"] is True
    machine = res["machine"]
    assert machine["cores"] >= 1 and machine["python"].count(".") == 2 and machine["platform"]
    assert res["date"].endswith("UTC")
    for name in res["plots"].values():
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = (out / "REPORT.md").read_text(encoding="utf-8")
    for heading in ("## 1. Timing demos", "## 2. The grader", "## 3. Anchors", "## 4. WebSockets"):
        assert heading in report
    assert "module 08 does not exist yet" in report
    assert res["websockets"]["status"] == "pending"
    assert "load average" in report


def test_timing_rows_are_consistent(quick_run: tuple[Path, dict[str, Any]]) -> None:
    _, res = quick_run
    rows = res["timing"]["rows"]
    assert [r["n"] for r in rows] == [10, 50]
    for r in rows:
        for key in ("async_s", "floor_s", "best_async_s", "best_floor_s", "limit_s"):
            assert _positive(r[key]), (key, r)
        assert r["limit_s"] == pytest.approx(max(res["timing"]["latency"], r["floor_s"]), abs=1e-3)
        assert r["async_over_limit"] == pytest.approx(r["async_s"] / r["limit_s"], rel=0.02)
        assert r["floor_over_best_floor"] == pytest.approx(r["floor_s"] / r["best_floor_s"], rel=0.02)
        assert r["async_s"] == min(r["async_runs"]) and len(r["async_runs"]) == r["repeat"]
        assert r["best_floor_limit"] in (min(r["n"], 100), r["n"])


def test_checks_and_grader_figures(quick_run: tuple[Path, dict[str, Any]]) -> None:
    _, res = quick_run
    tasks = res["checks"]["tasks"]
    assert [t["task"] for t in tasks] == res["tasks"]
    for t in tasks:
        assert t["status"] == "passed", t
        assert _positive(t["check_s"]) and t["learner_runs"] >= 1
        assert t["overhead_s"] == pytest.approx(t["check_s"] - t["learner_s"], abs=1e-3)
    assert set(res["checks"]["import_s"]) == {"01"}
    (row,) = res["grader"]["per_module"]
    assert row["module"] == "01" and row["exit"] == 0 and _positive(row["seconds"])
    assert res["anchors"] == {}  # --quick installs nothing


def test_process_cpu_reads_this_process() -> None:
    bench = _bench_module()
    if not Path("/proc/self/stat").exists():
        pytest.skip("no /proc here")
    sum(i * i for i in range(200_000))  # some CPU time of our own
    cpu = bench.process_cpu(os.getpid())
    assert cpu is not None and cpu >= 0
    assert bench.process_cpu(2**22 + 12345) is None  # no such process
