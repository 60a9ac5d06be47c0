"""Every wrong submission in tests/submissions/ is rejected with the status and reason it
names. These drive the runner that the grader's pytest items call (asynclab.grading.runner),
without a pytest start-up per submission; tests/test_grading_plugin.py proves the plugin
end to end (solutions get full marks, untouched exercises zero).

A submission file ``mNN_*.py`` replaces the cell of the solution notebook that defines the
task's function. Its header says what the grader must answer::

    # expect: 1.1 failed "one at a time"
    # others: passed        (optional: grade every task; the others must still pass)

Up to four submissions for different tasks share a notebook (a batch), and batches that only
give wrong results share a kernel, graded one after another (a group): see ``_batches`` and
``_groups``.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from asynclab import grade, manifest
from asynclab.generate import defines
from asynclab.grading import runner

SUBMISSIONS = sorted((Path(__file__).parent / "submissions").glob("m[0-9][0-9]_*.py"))
EXPECT = re.compile(r'^# expect: (\S+) (passed|failed|not attempted|error|timed out) "(.+)"$', re.M)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Submission:
    path: Path
    task: manifest.Task
    status: str
    reason: str
    others: bool  # grade every task: the others must still pass
    source: str


def _read(path: Path) -> Submission:
    text = path.read_text(encoding="utf-8")
    m = EXPECT.search(text)
    assert m, f"{path.name} needs a '# expect: TASK STATUS \"reason\"' line"
    task_id, status, reason = m.groups()
    source = "\n".join(line for line in text.splitlines() if not line.startswith(("# expect:", "# others:")))
    return Submission(path, manifest.task(task_id), status, reason, "# others: passed" in text, source)


def _top_level_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {"<syntax error>"}
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            pass  # importing the same module twice is harmless
        else:
            names.add("<statement>")  # top-level code with effects: grade it alone
    return names


def _batches() -> dict[str, list[Submission]]:
    """Submissions graded together, one notebook per batch: at most one submission per task,
    no two defining the same top-level name (a later cell would replace an earlier cell's
    helper), and only those expected to fail or pass cleanly. The rest (errors, hangs, "others
    must pass") get a notebook of their own. Grading a batch costs one kernel instead of one
    per submission; each submission is still judged on its own task."""
    batches: dict[str, list[Submission]] = {}
    rows: dict[str, list[tuple[list[Submission], set[str]]]] = {}
    # Taken in turn by task (the first of every task, then the second...), so that batches
    # fill up with different tasks instead of the last task's submissions getting batches alone.
    subs = [_read(path) for path in SUBMISSIONS]
    rank: dict[str, int] = {}
    order = []
    for sub in subs:
        rank[sub.task.id] = rank.get(sub.task.id, -1) + 1
        order.append((rank[sub.task.id], sub.task.id, sub.path.name))
    for *_, sub in sorted((*key, sub) for key, sub in zip(order, subs, strict=True)):
        path = sub.path
        if sub.others or sub.status not in ("failed", "passed"):
            batches[path.stem] = [sub]
            continue
        names = _top_level_names(sub.source) - {sub.task.function}
        if names & {"<syntax error>", "<statement>"}:
            batches[path.stem] = [sub]
            continue
        module_rows = rows.setdefault(sub.task.module, [])
        for row, used in module_rows:
            if all(s.task.id != sub.task.id for s in row) and not names & used and len(row) < 4:
                row.append(sub)
                used |= names
                break
        else:
            module_rows.append(([sub], set(names)))
    for module_id, module_rows in rows.items():
        for i, (row, _) in enumerate(module_rows):
            batches[f"m{module_id}-batch{i:02d}"] = row
    return batches


BATCHES = _batches()
BATCH_OF = {s.path.stem: name for name, subs in BATCHES.items() for s in subs}
KERNEL_SHARE = 4  # batch notebooks graded one after another in one kernel


def _groups() -> dict[str, list[str]]:
    """Batches whose submissions only give wrong (or right) results share a kernel, up to
    KERNEL_SHARE of a module one after another (runner.grade_in_one_kernel): a kernel's start
    and first imports cost more than a batch's cells. Hangs, errors and the rest keep a
    fresh kernel each, as the grader gives every learner's notebook."""
    groups: dict[str, list[str]] = {}
    shared: dict[str, list[str]] = {}
    for name, subs in BATCHES.items():
        if "-batch" in name:
            shared.setdefault(subs[0].task.module, []).append(name)
        else:
            groups[name] = [name]
    for module_id, names in shared.items():
        for i in range(0, len(names), KERNEL_SHARE):
            groups[f"m{module_id}-kernel{i // KERNEL_SHARE:02d}"] = names[i:i + KERNEL_SHARE]
    return groups


GROUPS = _groups()
GROUP_OF = {batch: group for group, batches in GROUPS.items() for batch in batches}
_GRADED: dict[str, dict[str, Any]] = {}


def _notebook(name: str, dest: Path) -> tuple[manifest.Module, Path, tuple[str, ...] | None]:
    """The solution notebook with each of the batch's submissions in place of its task's cell."""
    subs = BATCHES[name]
    module = manifest.module(subs[0].task.module)
    nb = json.loads(module.solutions.read_text(encoding="utf-8"))
    for sub in subs:
        cells = [
            c for c in nb["cells"]
            if c["cell_type"] == "code" and defines("".join(c["source"]), sub.task.function)
        ]
        assert len(cells) == 1, f"no single cell defines {sub.task.function}"
        cells[0]["source"] = sub.source
    path = dest / name / module.exercises.name
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(nb), encoding="utf-8")
    others = len(subs) == 1 and subs[0].others
    return module, path, None if others else tuple(s.task.id for s in subs)


def _grade_group(group: str, dest: Path) -> None:
    """Grade a group's batches once per test process; each submission's test reads its own task."""
    jobs = [_notebook(name, dest) for name in GROUPS[group]]
    module = jobs[0][0]
    if len(jobs) == 1:
        reports = [grade.grade_notebook(module, jobs[0][1], only=jobs[0][2])]
    else:
        reports = runner.grade_in_one_kernel(module, [(path, only) for _, path, only in jobs])
    for name, report in zip(GROUPS[group], reports, strict=True):
        _GRADED[name] = {o.task: o for o in report.outcomes}


def _check(submission: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    sub = _read(submission)
    name = BATCH_OF[submission.stem]
    if name not in _GRADED:
        group = GROUP_OF[name]
        _grade_group(group, tmp_path_factory.mktemp(group))
    by_id = _GRADED[name]
    got = by_id[sub.task.id]
    assert (got.status, sub.reason in got.message) == (sub.status, True), f"{got.status}: {got.message}"
    if sub.others:
        rest = [f"{o.task} {o.status}: {o.message}" for o in by_id.values() if o.task != sub.task.id and not o.passed]
        assert not rest, "one bad task spoiled the others:\n" + "\n".join(rest)


def _group_class(name: str, subs: list[Submission]) -> type:
    """A test class per group: `pytest --dist loadscope` keeps a class on one worker, so each
    group's kernel grades its notebooks once, and the groups spread over the workers."""

    @pytest.mark.parametrize("submission", [s.path for s in subs], ids=[s.path.stem for s in subs])
    def test_wrong_submission_is_rejected(self: object, submission: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
        _check(submission, tmp_path_factory)

    return type(f"TestBatch_{name}", (), {"test_wrong_submission_is_rejected": test_wrong_submission_is_rejected})


for _name, _batches in GROUPS.items():
    _cls = _group_class(re.sub(r"\W", "_", _name), [s for b in _batches for s in BATCHES[b]])
    globals()[_cls.__name__] = _cls


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
