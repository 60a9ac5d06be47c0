"""Every wrong submission in tests/submissions/ is rejected with the status and reason it
names. These drive the runner that the grader's pytest items call (asynclab.grading.runner),
without a pytest start-up per submission; tests/test_grading_plugin.py proves the plugin
end to end (solutions get full marks, untouched exercises zero).

A submission file ``mNN_*.py`` replaces the cell of the solution notebook that defines the
task's function. Its header says what the grader must answer::

    # expect: 1.1 failed "one at a time"
    # others: passed        (optional: grade every task; the others must still pass)
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from asynclab import grade, manifest
from asynclab.generate import defines

SUBMISSIONS = sorted((Path(__file__).parent / "submissions").glob("m[0-9][0-9]_*.py"))
EXPECT = re.compile(r'^# expect: (\S+) (passed|failed|not attempted|error|timed out) "(.+)"$', re.M)


def _notebook_with(module: manifest.Module, task: manifest.Task, source: str, dest: Path) -> Path:
    nb = json.loads(module.solutions.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if c["cell_type"] == "code" and defines("".join(c["source"]), task.function)]
    assert len(cells) == 1, f"no single cell defines {task.function}"
    cells[0]["source"] = source
    path = dest / module.exercises.name
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("submission", SUBMISSIONS, ids=lambda p: p.stem)
def test_wrong_submission_is_rejected(submission: Path, tmp_path: Path) -> None:
    text = submission.read_text(encoding="utf-8")
    m = EXPECT.search(text)
    assert m, f"{submission.name} needs a '# expect: TASK STATUS \"reason\"' line"
    task_id, status, reason = m.groups()
    task = manifest.task(task_id)
    module = manifest.module(task.module)
    source = "\n".join(line for line in text.splitlines() if not line.startswith(("# expect:", "# others:")))
    path = _notebook_with(module, task, source, tmp_path)
    others = "# others: passed" in text
    report = grade.grade_notebook(module, path, only=None if others else (task_id,))
    by_id = {o.task: o for o in report.outcomes}
    got = by_id[task_id]
    assert (got.status, reason in got.message) == (status, True), f"{got.status}: {got.message}"
    if others:
        rest = [f"{o.task} {o.status}: {o.message}" for o in report.outcomes if o.task != task_id and not o.passed]
        assert not rest, "one bad task spoiled the others:\n" + "\n".join(rest)


def test_deleted_check_cells_still_graded(tmp_path: Path) -> None:
    module = manifest.graded_modules()[0]
    nb = json.loads(module.solutions.read_text(encoding="utf-8"))
    nb["cells"] = [c for c in nb["cells"] if "await check(" not in "".join(c["source"])]
    path = tmp_path / module.exercises.name
    path.write_text(json.dumps(nb), encoding="utf-8")
    report = grade.grade_notebook(module, path, only=(module.tasks[0].id,))
    assert report.outcomes[0].passed
    assert any("edited or deleted" in n and module.tasks[0].id in n for n in report.notes)


@pytest.mark.parametrize(
    ("content", "reason"),
    [("", "is empty"), ('{"cells": [', "not valid JSON"), ('{"nbformat": 4}', "not a Jupyter notebook")],
)
def test_unreadable_notebook_reported(tmp_path: Path, content: str, reason: str) -> None:
    module = manifest.graded_modules()[0]
    path = tmp_path / module.exercises.name
    path.write_text(content, encoding="utf-8")
    report = grade.grade_notebook(module, path)
    assert {o.status for o in report.outcomes} == {"error"}
    assert all(reason in o.message for o in report.outcomes)


def test_cli_scoreboard_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    """``grade.main`` in this process (pytest.main inside a test): the untouched exercises."""
    monkeypatch.setenv("ASYNCLAB_HINTS", str(tmp_path / "hints.json"))
    module = manifest.graded_modules()[0]
    before = _digest(module.exercises)
    out = tmp_path / "report.json"
    code = grade.main(["--module", module.id, "--json", str(out)])
    text = capsys.readouterr().out
    assert code == 1
    assert _digest(module.exercises) == before, "grading wrote to the notebook"
    assert "\x1b[" not in text and "Traceback" not in text
    assert f"0/{module.points} points" in text and "not attempted" in text
    assert "Course progress" in text
    data = json.loads(out.read_text())
    assert data["earned"] == 0 and data["points"] == module.points
    assert {t["status"] for t in data["modules"][0]["tasks"]} == {"not attempted"}
