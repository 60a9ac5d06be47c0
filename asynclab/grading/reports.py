"""What grading prints and writes: the learner's scoreboard, the JSON report, the class CSV.
(JUnit XML is pytest's own ``--junitxml``.)"""

from __future__ import annotations

import csv
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .. import manifest
from ..checking import ICONS, hints_seen
from .runner import Report


def _hint_lines(task_id: str) -> list[str]:
    try:
        hints = manifest.task(task_id).hints
    except KeyError:  # a report for a task the manifest no longer has
        return []
    seen = min(hints_seen(task_id), len(hints))
    lines = [f"        hint {seen}/{len(hints)} (asked for earlier): {hints[seen - 1]}"] if seen else []
    if seen < len(hints):
        more = "another hint is" if seen else "a hint is"
        lines.append(f'        {more} available: run hint("{task_id}") in the notebook.')
    return lines


def _bar(fraction: float, width: int = 24) -> str:
    done = round(fraction * width)
    return "[" + "#" * done + "." * (width - done) + "]"


def scoreboard(reports: list[Report], *, show_hints: bool = True) -> str:
    """The learner's scoreboard. Grading never uses up a hint: a task that did not pass shows
    the last hint the learner already asked for with ``hint()`` in the notebook, and says
    whether another one is available."""
    lines = ["", "Async Python Patterns: scoreboard", ""]
    earned = points = passed = total = 0
    for r in reports:
        lines.append(f"Module {r.module}  {r.title}  {r.earned}/{r.points} points  ({r.seconds:.1f} s)")
        if r.problem:
            lines.append(f"  {ICONS['error']} {r.problem}")
        for note in r.notes:
            lines.append(f"  note: {note}")
        for o in r.outcomes:
            lines.append(f"  {ICONS.get(o.status, '?')} {o.task:<5} {o.title}")
            if r.problem:
                continue  # said once above
            lines.append(f"        {o.status}, {o.earned}/{o.points} points: {o.message}")
            for note in o.notes:
                lines.append(f"        note: {note}")
            if show_hints and o.status in ("failed", "error", "timed out"):
                lines.extend(_hint_lines(o.task))
        lines.append("")
        earned += r.earned
        points += r.points
        passed += sum(o.passed for o in r.outcomes)
        total += len(r.outcomes)
    frac = earned / points if points else 0.0
    lines.append(f"Course progress {_bar(frac)} {earned}/{points} points, {passed}/{total} tasks passed")
    return "\n".join(lines)


def summary_line(r: Report) -> str:
    """One line per graded copy, for class grading."""
    icons = "".join(ICONS.get(o.status, "?") for o in r.outcomes)
    flags = f"  [{', '.join(r.flags)}]" if r.flags else ""
    return f"{r.learner or Path(r.notebook).stem:<24} module {r.module}  {r.earned:>3}/{r.points:<3} points  {icons}  ({r.seconds:.1f} s){flags}"


def to_json(reports: list[Report]) -> dict[str, Any]:
    return {
        "earned": sum(r.earned for r in reports),
        "points": sum(r.points for r in reports),
        "modules": [
            {**{k: v for k, v in asdict(r).items() if k != "outcomes"}, "tasks": [asdict(o) for o in r.outcomes]}
            for r in reports
        ],
    }


def write_csv(path: Path, reports: list[Report], expected: list[tuple[str, str]] | None = None) -> None:
    """One row per graded notebook: learner, module, points and status per task, totals,
    flags (tampering, internals) and notes. ``expected`` lists (learner, module id) pairs
    that should have a notebook: those without one get a row saying "missing"."""
    modules = {m.id: m for m in manifest.load()}
    task_ids = [t.id for m in manifest.load() for t in m.tasks]
    wanted_modules = {r.module for r in reports} | {mid for _, mid in expected or []}
    used = [t for t in task_ids if manifest.task(t).module in wanted_modules]
    rows: list[tuple[str, str, Report | None]] = [(r.learner, r.module, r) for r in reports]
    have = {(r.learner, r.module) for r in reports}
    rows += [(learner, mid, None) for learner, mid in expected or [] if (learner, mid) not in have]
    rows.sort(key=lambda row: (row[0], row[1]))
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow([
            "learner", "module", *used, *(f"{t} status" for t in used),
            "earned", "points", "passed", "flags", "notebook", "notes",
        ])
        for learner, mid, r in rows:
            if r is None:
                points = modules[mid].points if mid in modules else ""
                blank = ["" for _ in used]
                out.writerow([learner, mid, *blank, *blank, 0, points, "", "missing", "", "no notebook found for this module"])
                continue
            by_task = {o.task: o for o in r.outcomes}
            earned = [by_task[t].earned if t in by_task else "" for t in used]
            statuses = [by_task[t].status if t in by_task else "" for t in used]
            passed = sum(o.passed for o in r.outcomes)
            notes = " | ".join([r.problem] if r.problem else [*r.notes])
            out.writerow([
                learner, r.module, *earned, *statuses, r.earned, r.points,
                f"{passed}/{len(r.outcomes)}", " ".join(r.flags), r.notebook, notes,
            ])
