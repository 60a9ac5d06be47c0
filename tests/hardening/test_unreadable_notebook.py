"""A notebook file that cannot be read: every task gets the same plain-words error, said
once on the scoreboard with the way out, no hint is used up, no kernel is started."""

import json
from pathlib import Path

import pytest
from hardening_support import MODULE

from asynclab.grade import scoreboard

RESTORE = "Restore a fresh copy with `make reset MODULE=01` (or `python -m asynclab.reset 01`); yours is kept in notebooks/backups/."


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "01_coroutines_and_tasks_exercises.ipynb is empty."),
        (b"  \n", "01_coroutines_and_tasks_exercises.ipynb is empty."),
        (b'{"cells": [\n  {"cell_type": "code",', "01_coroutines_and_tasks_exercises.ipynb is not valid JSON (line 2): was it edited outside Jupyter, or cut short while saving?"),
        (b"\xff\xfe{\x00}\x00", "01_coroutines_and_tasks_exercises.ipynb is not a text file (it is not UTF-8): is it really a notebook?"),
        (b'{"nbformat": 4}', "01_coroutines_and_tasks_exercises.ipynb is not a Jupyter notebook (it has no cells)."),
        (b"[1, 2, 3]", "01_coroutines_and_tasks_exercises.ipynb is not a Jupyter notebook (it has no cells)."),
    ],
    ids=["empty", "blank", "truncated-json", "not-utf8", "no-cells", "json-list"],
)
def test_unreadable_notebook(submission, monkeypatch, tmp_path: Path, content: bytes, problem: str) -> None:
    hints = tmp_path / "hints.json"
    monkeypatch.setenv("ASYNCLAB_HINTS", str(hints))
    submission.path.write_bytes(content)
    graded = submission.grade()
    assert graded.report.problem == f"{problem} {RESTORE}"
    assert {(o.status, o.message) for o in graded.report.outcomes} == {("error", f"{problem} {RESTORE}")}
    board = scoreboard([graded.report])
    assert board.count(problem) == 1 and "hint" not in board
    assert not hints.exists()


def test_missing_notebook(submission) -> None:
    graded = submission.grade()
    assert graded.report.problem.startswith("01_coroutines_and_tasks_exercises.ipynb does not exist.")


def test_folder_instead_of_notebook(submission) -> None:
    submission.path.mkdir()
    graded = submission.grade()
    assert graded.report.problem.startswith("01_coroutines_and_tasks_exercises.ipynb is a folder, not a notebook.")


def test_notebook_json_is_left_alone(submission) -> None:
    """Sanity check of the fixture itself: a readable notebook is graded normally."""
    submission.path.write_text(json.dumps(json.loads(MODULE.exercises.read_text(encoding="utf-8"))), encoding="utf-8")
    graded = submission.grade("1.1")
    assert graded["1.1"].status == "not attempted"
