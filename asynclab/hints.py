"""The hints: ``hint("1.1")`` in the notebook, and which hints the learner has seen.

- ``hint``: first the hint for the mistake the task's last check recognised
  (``_MISTAKE_HINTS``, filled in by ``asynclab.checking.evaluate``), then the task's hints from
  course.toml, one more per call;
- ``next_hint``, ``hints_seen`` and ``_mark_seen``: how far the learner got, kept in the hint
  store of the learner's workspace (``_hint_store``). The grader shows the hints already seen
  and never uses one up.
"""

from __future__ import annotations

import json
import os

from . import manifest


def _hint_store() -> str:
    # In the learner's workspace, not among the course's files. Imported here: `python -m
    # asynclab.paths` (the git filter) must not find it imported already by the package.
    from . import paths

    return str(paths.hint_store())


def hints_seen(task_id: str) -> int:
    try:
        with open(_hint_store(), encoding="utf-8") as f:
            return int(json.load(f).get(task_id, 0))
    except (OSError, ValueError, TypeError, AttributeError):
        return 0


def _mark_seen(task_id: str, count: int) -> None:
    path = _hint_store()
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    try:
        seen = int(data.get(task_id, 0))
    except (TypeError, ValueError):
        seen = 0
    data[task_id] = max(count, seen)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
        os.replace(tmp, path)  # whole or not at all, even with the notebook and the grader both writing
    except OSError:
        pass  # a read-only folder: hints still show, they just do not advance


def next_hint(task_id: str) -> tuple[int, int, str]:
    """(number, total, text) of the next hint the learner has not seen (the last repeats)."""
    hints = manifest.task(task_id).hints
    n = min(hints_seen(task_id) + 1, len(hints))
    return n, len(hints), hints[n - 1]


_MISTAKE_HINTS: dict[str, str] = {}  # task id -> hint for the mistake its last check found


def hint(task_id: str) -> None:
    """Show the next hint for a task; each call reveals one more. When the task's last check
    recognised a mistake, the first call shows the hint for that mistake."""
    task_id = str(task_id)
    mistake = _MISTAKE_HINTS.pop(task_id, "")
    if mistake:
        print(f"Hint for the mistake your last check found (task {task_id}): {mistake}")
        print(f'Run hint("{task_id}") again for the general hints.')
        return
    try:
        n, total, text = next_hint(task_id)
    except KeyError:
        known = ", ".join(t.id for m in manifest.graded_modules() for t in m.tasks)
        print(f"There is no task {task_id!r}. Tasks: {known}. Write it as a string: hint(\"1.2\").")
        return
    from .checking import GRADING  # read when used: checking imports this module

    if not os.environ.get(GRADING):
        _mark_seen(task_id, n)
    more = f' Run hint("{task_id}") again for the next one.' if n < total else ""
    print(f"Hint {n}/{total} for task {task_id}: {text}{more}")
