"""The grader end to end, as learners and instructors run it: ``python -m asynclab.grade``
in a subprocess, i.e. pytest with the course's plugin over real notebooks and the real
checks. Between them these prove each status and its reason, -k, --junitxml, the JSON
report, pytest-xdist (-n 2), a hang that does not hide the next task, a dead kernel
restarted, tampering flagged, the exit codes, and a class CSV. (The many wrong submissions
and hardening cases drive the same runner the plugin's items call, without a pytest
start-up each: tests/test_grader.py and tests/hardening/.)"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from asynclab import manifest
from asynclab.generate import defines

ROOT = Path(__file__).resolve().parent.parent
MODULE = manifest.module("01")
ANSI = re.compile(r"\x1b\[")

HANG = "async def fetch_all(urls):\n    await asyncio.Event().wait()  # nobody sets it\n"
DIES = "async def first_success(urls):\n    import os\n    os._exit(3)\n"
WRONG = "async def fetch_with_progress(urls, on_result):\n    return []\n"
TAMPER = "import asynclab.checking\nasynclab.checking.evaluate = lambda *args, **kwargs: None\n"


def notebook(dest: Path, replace: dict[str, str] | None = None, extra_setup: str = "") -> Path:
    nb = json.loads(MODULE.solutions.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for function, source in (replace or {}).items():
        (cell,) = [c for c in code if defines("".join(c["source"]), function)]
        cell["source"] = source
    code[0]["source"] = "".join(code[0]["source"]) + "\n" + extra_setup
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(nb), encoding="utf-8")
    return dest


def grade(*args: str, cwd: Path, hints: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASYNCLAB_HINTS": str(hints), "PYTHONIOENCODING": "utf-8"}
    env.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run(
        [sys.executable, "-m", "asynclab.grade", *args], capture_output=True, text=True,
        cwd=cwd, env=env, timeout=600,
    )


def digests(folder: Path) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


def test_class_run_in_parallel(tmp_path: Path) -> None:
    """Two learners graded on two workers: every status, its plain reason, JUnit, JSON, CSV."""
    class_dir = tmp_path / "class"
    name = MODULE.exercises.name
    notebook(class_dir / "alice" / name, {"fetch_all": HANG, "first_success": DIES, "fetch_with_progress": WRONG})
    notebook(class_dir / "bob" / name, extra_setup=TAMPER)
    (class_dir / "carol").mkdir()
    (class_dir / "carol" / manifest.module("02").exercises.name).write_text("{}")  # damaged, module 02 only
    before = digests(class_dir)
    xml, report = tmp_path / "class.xml", tmp_path / "class.json"
    out = grade("--module", "01", "--module", "02", "--class-dir", str(class_dir), "-n", "2",
                "--junit", str(xml), "--json", str(report), cwd=tmp_path, hints=tmp_path / "hints.json")
    assert out.returncode == 0, out.stdout + out.stderr
    assert not ANSI.search(out.stdout + out.stderr) and "Traceback" not in out.stdout + out.stderr
    assert digests(class_dir) == {**before, class_dir / "grades.csv": digests(class_dir)[class_dir / "grades.csv"]}
    assert not (tmp_path / "hints.json").exists(), "class grading used up hints"

    data = json.loads(report.read_text())
    by = {(m["learner"], m["module"]): {t["task"]: t for t in m["tasks"]} for m in data["modules"]}
    alice = by[("alice", "01")]
    assert alice["1.1"]["status"] == "timed out" and "still running after" in alice["1.1"]["message"]
    assert alice["1.2"]["status"] == "error"
    assert alice["1.2"]["message"] == "the kernel exited with code 3 (os._exit()? a crash?) while first_success() was running."
    assert alice["1.3"]["status"] == "failed"
    assert alice["1.4"]["status"] == "passed", alice["1.4"]["message"]  # after a hang and a dead kernel
    bob = by[("bob", "01")]
    assert {t["status"] for t in bob.values()} == {"error"}
    assert all(t["message"].startswith("TAMPERING") and "asynclab.checking.evaluate" in t["message"] for t in bob.values())
    assert {t["status"] for t in by[("carol", "02")].values()} == {"error"}

    alice_cases = {c.get("name").split()[0]: c for c in ET.parse(xml).getroot().iter("testcase") if c.get("classname").startswith("alice.")}
    assert len(alice_cases) == len(MODULE.tasks)
    assert alice_cases["1.1"].find("failure") is not None and alice_cases["1.3"].find("failure") is not None
    assert alice_cases["1.2"].find("error") is not None and len(list(alice_cases["1.4"])) <= 1  # passed: properties only
    message = alice_cases["1.3"].find("failure").get("message")
    assert message.startswith("failed: ") and "Traceback" not in message and not ANSI.search(message)

    rows = {(r["learner"], r["module"]): r for r in csv.DictReader(open(class_dir / "grades.csv", encoding="utf-8"))}
    assert set(rows) == {("alice", "01"), ("alice", "02"), ("bob", "01"), ("bob", "02"), ("carol", "01"), ("carol", "02")}
    assert rows[("alice", "01")]["1.4"] == "3" and rows[("alice", "01")]["1.1 status"] == "timed out"
    assert rows[("alice", "01")]["earned"] == "3" and rows[("alice", "01")]["passed"] == "1/4"
    assert "tampering" in rows[("bob", "01")]["flags"].split() and rows[("bob", "01")]["earned"] == "0"
    assert rows[("alice", "02")]["flags"] == "missing" and rows[("carol", "01")]["flags"] == "missing"
    bob_line = next(line for line in out.stdout.splitlines() if line.startswith("bob "))
    assert "tampering" in bob_line and "0/10" in bob_line


def test_untouched_exercises_score_zero(tmp_path: Path) -> None:
    """Every module's fresh exercise notebook: 0 points, every task not attempted, exit 1."""
    modules = manifest.graded_modules()
    before = {m.id: hashlib.sha256(m.exercises.read_bytes()).hexdigest() for m in modules}
    report = tmp_path / "r.json"
    out = grade("--json", str(report), "-n", "2", cwd=ROOT, hints=tmp_path / "hints.json")
    assert out.returncode == 1, out.stdout + out.stderr
    data = json.loads(report.read_text())
    assert data["earned"] == 0 and data["points"] == sum(m.points for m in modules)
    assert [m["module"] for m in data["modules"]] == [m.id for m in modules]
    assert {t["status"] for m in data["modules"] for t in m["tasks"]} == {"not attempted"}
    assert sum(len(m["tasks"]) for m in data["modules"]) == sum(len(m.tasks) for m in modules)
    assert out.stdout.count("Module ") == len(modules) and "Course progress" in out.stdout
    assert not ANSI.search(out.stdout) and "bringing up nodes" not in out.stdout
    assert {m.id: hashlib.sha256(m.exercises.read_bytes()).hexdigest() for m in modules} == before


def test_solutions_score_full_marks(tmp_path: Path) -> None:
    """The course's solutions through the plugin, on two workers: full marks, exit 0."""
    modules = [m for m in manifest.graded_modules() if m.solutions.exists()]
    before = {m.id: hashlib.sha256(m.solutions.read_bytes()).hexdigest() for m in modules}
    report = tmp_path / "r.json"
    out = grade("--solutions", "--json", str(report), "-n", "2", cwd=ROOT, hints=tmp_path / "hints.json")
    data = json.loads(report.read_text())
    failures = [f"{m['module']} {t['task']} {t['status']}: {t['message']}" for m in data["modules"] for t in m["tasks"] if t["status"] != "passed"]
    assert not failures, "\n".join(failures)
    assert out.returncode == 0, out.stdout + out.stderr
    assert data["earned"] == data["points"] == sum(m.points for m in modules)
    assert not [n for m in data["modules"] for n in m["notes"]], "notes on the solutions"
    assert not [f for m in data["modules"] for f in m["flags"]], "the solutions were flagged"
    assert {m.id: hashlib.sha256(m.solutions.read_bytes()).hexdigest() for m in modules} == before


def test_keyword_and_junit_on_one_notebook(tmp_path: Path) -> None:
    """-k picks tasks; JUnit names them; a task that fails gives exit 1 and its hint line."""
    path = notebook(tmp_path / "mine.ipynb", {"fetch_with_progress": WRONG})
    xml = tmp_path / "r.xml"
    out = grade("--module", "01", "--notebook", str(path), "-k", "1.1 or 1.3", "--junit", str(xml),
                cwd=tmp_path, hints=tmp_path / "hints.json")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "2/4 points" in out.stdout and "total_value" not in out.stdout and "first_success" not in out.stdout
    assert "failed, 0/2 points" in out.stdout and 'a hint is available: run hint("1.3")' in out.stdout
    names = [c.get("name") for c in ET.parse(xml).getroot().iter("testcase")]
    assert names == ["1.1 fetch_all", "1.3 fetch_with_progress"]


def test_strict_mode_under_nbval(tmp_path: Path) -> None:
    """`make test` runs the solution notebooks under plain nbval with ASYNCLAB_STRICT=1, where
    an inline check() raises unless its task passes: so an untouched copy fails there."""
    copy = tmp_path / MODULE.exercises.name
    copy.write_bytes(MODULE.exercises.read_bytes())
    env = {**os.environ, "ASYNCLAB_STRICT": "1", "MPLBACKEND": "Agg",
           "IPYTHONDIR": str(ROOT / "asynclab" / "ipython_profile")}
    env.pop("PYTEST_XDIST_WORKER", None)
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout", "120", str(copy)],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600,
    )
    assert out.returncode == 1, out.stdout + out.stderr
    assert out.stdout.count("NOT ATTEMPTED") >= len(MODULE.tasks)
    assert copy.read_bytes() == MODULE.exercises.read_bytes()
