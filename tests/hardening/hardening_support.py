"""Shared code of the hardening suite: bad submissions the grader must survive, one per file.

Each case builds a copy of module 01's solution notebook with one thing broken (a cell
replaced, the setup cell changed, the file damaged), grades it, and asserts the exact
status and reason of the broken task, that the other tasks graded alongside still pass,
and that the notebook file is byte-for-byte what it was before grading. Time limits come
from tests/conftest.py (short ones), so hangs are judged in seconds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from asynclab import grade, manifest
from asynclab.checking import Outcome, task_timeout
from asynclab.generate import defines

MODULE = manifest.module("01")


def limit(task_id: str) -> str:
    """A task's time limit as the messages print it, e.g. "8"."""
    return f"{task_timeout(manifest.task(task_id)):g}"


class Graded:
    def __init__(self, report: grade.Report) -> None:
        self.report = report

    def __getitem__(self, task_id: str) -> Outcome:
        return next(o for o in self.report.outcomes if o.task == task_id)

    def others_passed(self, task_id: str) -> None:
        rest = [f"{o.task} {o.status}: {o.message}" for o in self.report.outcomes if o.task != task_id and not o.passed]
        assert not rest, "one bad task spoiled the others:\n" + "\n".join(rest)


class Submission:
    """Builds a damaged copy of the module's solution notebook and grades it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / MODULE.exercises.name

    def notebook(
        self,
        replace: dict[str, str] | None = None,
        *,
        setup: str | None = None,
        edit: Callable[[dict[str, Any]], None] | None = None,
    ) -> Path:
        """``replace`` maps a task function to the new source of the cell defining it;
        ``setup`` replaces the first code cell; ``edit`` changes the notebook dict freely."""
        nb = json.loads(MODULE.solutions.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        for function, source in (replace or {}).items():
            cells = [c for c in code if defines("".join(c["source"]), function)]
            assert len(cells) == 1, f"no single cell defines {function}"
            cells[0]["source"] = source
        if setup is not None:
            code[0]["source"] = setup
        if edit is not None:
            edit(nb)
        self.path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
        return self.path

    def setup_source(self) -> str:
        nb = json.loads(MODULE.solutions.read_text(encoding="utf-8"))
        return "".join(next(c for c in nb["cells"] if c["cell_type"] == "code")["source"])

    def grade(self, *only: str, path: Path | None = None) -> Graded:
        path = path or self.path
        before = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        report = grade.grade_notebook(MODULE, path, only=only or None)
        after = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        assert after == before, "grading changed the learner's notebook"
        assert [o.task for o in report.outcomes] == [t.id for t in MODULE.tasks if not only or t.id in only]
        return Graded(report)
