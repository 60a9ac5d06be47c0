"""The grader's tools: reset, watch, hints, class grading and its CSV, and the generator's
nbformat-free notebook layout. Watch mode and the scoreboard's hints use a fake report (the
point there is the tool); class grading runs the real grader."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from asynclab import checking, generate, grade, manifest, reset, watch
from asynclab.checking import Outcome

MODULE = manifest.module("01")
ROOT = manifest.ROOT


def fake_report(module: manifest.Module = MODULE, path: Path | str = "nb.ipynb", statuses: tuple[str, ...] = ()) -> grade.Report:
    statuses = statuses or ("passed", "failed", "timed out", "not attempted")
    outcomes = []
    for t, status in zip(module.tasks, statuses, strict=False):
        earned = t.points if status == "passed" else 0
        outcomes.append(Outcome(t.id, t.title, status, f"{t.function} was {status} <&>", t.points, earned, []))
    return grade.Report(module.id, module.title, str(path), outcomes, ["a note"], 1.5)


# --------------------------------------------------------------------------- generate
def _reference_render(module: manifest.Module) -> str:
    """How the exercise notebook was made with nbformat, before generate went json-only."""
    import nbformat

    nb = nbformat.read(module.solutions, as_version=4)
    cells = []
    for cell in nb.cells:
        cell = cell.copy()
        if cell.cell_type == "code":
            cell.source = generate.stub_code(cell.source)
            cell.outputs = []
            cell.execution_count = None
            cell.metadata = {k: v for k, v in cell.metadata.items() if k in ("tags",)}
        elif cell.cell_type == "markdown":
            cell.source = generate.strip_markdown(cell.source)
            if not cell.source:
                continue
        cells.append(cell)
    banner = nbformat.v4.new_markdown_cell(generate.BANNER.format(module=module.id))
    banner.id = f"banner-{module.id}"
    nb.cells = [cells[0], banner, *cells[1:]] if cells else [banner]
    nb.metadata["asynclab"] = {"module": module.id, "source": f"solutions/{module.solutions.name}"}
    nb.metadata["asynclab"]["version"] = generate.hashlib.sha256(nbformat.writes(nb).encode()).hexdigest()[:12]
    return nbformat.writes(nb) + "\n"


@pytest.mark.parametrize("module", [m for m in manifest.graded_modules() if m.solutions.exists()], ids=lambda m: m.id)
def test_generate_writes_what_nbformat_writes(module: manifest.Module) -> None:
    try:
        expected = _reference_render(module)
    except generate.CourseError:
        pytest.skip(f"module {module.id}'s solutions are being written")
    assert generate.render(generate.build(module)) == expected


def test_check_path_does_not_import_nbformat() -> None:
    code = (
        "import sys, importlib\n"
        "import asynclab.grade, asynclab.watch, asynclab.reset, asynclab.labservice, asynclab.checking\n"
        "import asynclab.grading.plugin, asynclab.grading.notebook, nbval.kernel, pytest, xdist\n"
        "import jupyter_client.manager, ipykernel.ipkernel\n"
        "from asynclab import manifest, generate\n"
        "for m in manifest.graded_modules():\n"
        "    if m.checks:\n"
        "        importlib.import_module(m.checks)\n"
        "    if m.solutions.exists():\n"
        "        asynclab.grading.notebook.version_notes(generate.build(m), m)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('nbformat', 'rfc3987_syntax', 'jsonschema')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- reset
def test_reset_saves_the_copy_and_restores(tmp_path: Path) -> None:
    target = tmp_path / MODULE.exercises.name
    fresh = generate.render(generate.build(MODULE)).encode()
    target.write_bytes(b"my work, however broken")
    saved = reset.reset(MODULE, target, tmp_path / "backups")
    assert saved is not None and saved.parent == tmp_path / "backups"
    assert saved.name.startswith("01_coroutines_and_tasks_exercises.") and saved.suffix == ".ipynb"
    assert saved.read_bytes() == b"my work, however broken"
    assert target.read_bytes() == fresh
    assert reset.reset(MODULE, target, tmp_path / "backups") is None  # already fresh: nothing saved
    target.write_bytes(b"second try")
    again = reset.reset(MODULE, target, tmp_path / "backups")
    assert again is not None and again != saved and again.read_bytes() == b"second try"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_backup_names_never_collide(tmp_path: Path) -> None:
    target = tmp_path / "x.ipynb"
    first = reset.backup_path(target, tmp_path, now=0)
    first.write_text("")
    second = reset.backup_path(target, tmp_path, now=0)
    assert second != first and second.name.endswith("-2.ipynb")


def test_reset_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "solutions").mkdir()
    (tmp_path / "notebooks").mkdir()
    shutil.copy(MODULE.solutions, tmp_path / "solutions" / MODULE.solutions.name)
    monkeypatch.setattr(manifest, "ROOT", tmp_path)
    learner = tmp_path / "notebooks" / MODULE.exercises.name
    learner.write_text("{}")
    assert reset.main(["01"]) == 0
    out = capsys.readouterr().out
    backups = list((tmp_path / "notebooks" / "backups").iterdir())
    assert len(backups) == 1 and backups[0].read_text() == "{}"
    assert f"Saved your copy as notebooks/backups/{backups[0].name}." in out
    assert "Restored a fresh notebooks/01_coroutines_and_tasks_exercises.ipynb." in out
    assert reset.main(["1"]) == 0 and "already fresh" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [([], "Which exercises should be restored? Usage: make reset MODULE=01"), (["42"], "There are no exercises '42'."), (["00"], "Module 00 has no exercise notebook.")],
)
def test_reset_refuses(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = MODULE.exercises.read_bytes()
    assert reset.main(args) == 2
    out = capsys.readouterr().out
    assert out.startswith(message) and "01 (Coroutines" in out
    assert MODULE.exercises.read_bytes() == before


# --------------------------------------------------------------------------- hints
def test_grading_never_uses_up_a_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "hints.json"
    monkeypatch.setenv("ASYNCLAB_HINTS", str(store))
    monkeypatch.delenv(checking.GRADING, raising=False)
    report = fake_report(statuses=("failed", "passed", "passed", "passed"))
    hints = MODULE.tasks[0].hints
    for _ in range(3):  # grading again and again reveals nothing and uses nothing up
        board = grade.scoreboard([report])
        assert 'a hint is available: run hint("1.1")' in board
        assert not any(h in board for h in hints)
    assert not store.exists()
    checking.hint("1.1")  # the learner asks in the notebook...
    board = grade.scoreboard([report])
    assert f"hint 1/{len(hints)} (asked for earlier): {hints[0]}" in board  # ...and sees it again here
    assert hints[1] not in board and "another hint is available" in board
    for _ in range(len(hints)):
        checking.hint("1.1")
    board = grade.scoreboard([report])
    assert f"hint {len(hints)}/{len(hints)}" in board and "available" not in board
    quiet = grade.scoreboard([report], show_hints=False).splitlines()
    assert not [line for line in quiet if line.strip().startswith(("hint ", "a hint", "another hint"))]


def test_hints_survive_a_damaged_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "hints.json"
    monkeypatch.setenv("ASYNCLAB_HINTS", str(store))
    monkeypatch.delenv(checking.GRADING, raising=False)
    for damaged in ("{not json", "[1, 2]", '{"1.1": "many"}'):
        store.write_text(damaged)
        checking.hint("1.1")
        assert capsys.readouterr().out.startswith("Hint 1/3 for task 1.1:")
    assert json.loads(store.read_text()) == {"1.1": 1}
    checking.hint(1.2)
    assert capsys.readouterr().out.startswith("Hint 1/3 for task 1.2:")


# --------------------------------------------------------------------------- watch
def test_watch_regrades_on_save(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASYNCLAB_HINTS", str(tmp_path / "hints.json"))
    path = tmp_path / MODULE.exercises.name
    path.write_text("{}")
    graded: list[float] = []

    def fake_grade(module: manifest.Module, p: Path) -> grade.Report:
        graded.append(time.monotonic())
        return fake_report(module, p)

    out = open(tmp_path / "out.txt", "w+", encoding="utf-8")  # read back below
    runner = threading.Thread(
        target=watch.watch, args=([(MODULE, path)],), kwargs={"interval": 0.05, "grade": fake_grade, "out": out, "max_grades": 2}
    )
    runner.start()
    time.sleep(1.0)
    assert len(graded) == 1, "graded again without a save"
    path.write_text('{"cells": []}')  # a save
    runner.join(timeout=10)
    assert not runner.is_alive() and len(graded) == 2
    out.seek(0)
    text = out.read()
    out.close()
    assert text.count("Async Python Patterns: scoreboard") == 2
    assert "save to re-grade, Ctrl-C to stop" in text
    assert not (tmp_path / "hints.json").exists(), "watching used up hints"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
def test_watch_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    copy = tmp_path / MODULE.exercises.name
    shutil.copy(MODULE.exercises, copy)
    proc = subprocess.Popen(
        [sys.executable, "-m", "asynclab.watch", "--module", "01", "--notebook", str(copy), "--interval", "0.1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
        env={**os.environ, "ASYNCLAB_HINTS": str(tmp_path / "hints.json")},
    )
    assert proc.stdout is not None
    lines = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        lines.append(line)
        if "Ctrl-C to stop" in line or not line:
            break
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, "".join(lines) + rest
    assert "not attempted" in "".join(lines)
    assert rest.strip().endswith("Stopped watching.") and "Traceback" not in rest


# --------------------------------------------------------------------------- class grading
def _class_dir(tmp_path: Path) -> Path:
    name = MODULE.exercises.name
    files = {
        f"alice/{name}": MODULE.exercises.read_bytes(),  # untouched
        f"bob/notebooks/{name}": MODULE.solutions.read_bytes(),  # complete
        f"carol_{name}": b"{}",  # damaged
        f".ipynb_checkpoints/{name}": b"{}",
        f"dave/backups/{name}": b"{}",
        "erin/notes.ipynb": b"{}",
    }
    for rel, content in files.items():
        (tmp_path / "class" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "class" / rel).write_bytes(content)
    return tmp_path / "class"


def test_class_grading_writes_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The real grader over a class folder (in this process, no workers)."""
    class_dir = _class_dir(tmp_path)
    before = {p: p.read_bytes() for p in class_dir.rglob("*") if p.is_file()}
    monkeypatch.setenv("ASYNCLAB_HINTS", str(tmp_path / "hints.json"))
    assert grade.main(["--module", "01", "--class-dir", str(class_dir), "-n", "0", "--junit", str(tmp_path / "class.xml")]) == 0
    out = capsys.readouterr().out
    rows = list(csv.DictReader(open(class_dir / "grades.csv", encoding="utf-8")))
    assert [r["learner"] for r in rows] == ["alice", "bob", "carol"]
    alice, bob, carol = rows
    assert alice["module"] == "01" and alice["1.1"] == "0" and alice["1.1 status"] == "not attempted"
    assert alice["earned"] == "0" and alice["points"] == "10" and alice["passed"] == "0/4"
    assert bob["earned"] == "10" and bob["passed"] == "4/4" and bob["1.2 status"] == "passed" and not bob["flags"]
    assert carol["earned"] == "0" and {carol[f"{t.id} status"] for t in MODULE.tasks} == {"error"}
    assert "not a Jupyter notebook" in carol["notes"]
    assert "alice" in out and "bob" in out and f"wrote {class_dir / 'grades.csv'}" in out
    assert not (tmp_path / "hints.json").exists(), "class grading used up hints"
    assert {p: p.read_bytes() for p in before} == before
    assert len(list(ET.parse(tmp_path / "class.xml").getroot().iter("testcase"))) == 3 * len(MODULE.tasks)


def test_class_grading_from_notebooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASYNCLAB_HINTS", str(tmp_path / "hints.json"))
    for who in ("alice", "carol"):
        (tmp_path / f"{who}_{MODULE.exercises.name}").write_text("")  # empty files: graded as errors
    paths = [tmp_path / f"{who}_{MODULE.exercises.name}" for who in ("alice", "carol")]
    out = tmp_path / "g.csv"
    assert grade.main(["--module", "01", "-n", "0", *(a for p in paths for a in ("--notebook", str(p))), "--csv", str(out)]) == 0
    rows = list(csv.DictReader(open(out, encoding="utf-8")))
    assert [r["learner"] for r in rows] == ["alice", "carol"]
    assert all("is empty" in r["notes"] and r["1.1 status"] == "error" for r in rows)


def test_class_dir_without_notebooks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert grade.main(["--module", "01", "--class-dir", str(tmp_path)]) == 2
    assert "No learner notebooks found" in capsys.readouterr().out
