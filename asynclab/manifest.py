"""The course manifest (``course.toml``): modules, their exercises, points and hints.

The course's own files (``course.toml``, ``solutions/``, the generated ``notebooks/``) are
found from the package: in a source checkout or an editable install they are the
checkout's; a normal install (``pip install .``, as a JupyterHub image does it) ships them
as package data in ``asynclab/course/``. The checks are the ``exercises_tests`` package.
Where a learner's own copies live is ``asynclab.paths``' business, not this module's.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def _course_root() -> Path:
    checkout = PACKAGE.parent
    if (checkout / "course.toml").is_file():
        return checkout
    return PACKAGE / "course"  # package data of a normal install (see setup.py)


ROOT = _course_root()
MANIFEST = ROOT / "course.toml"


@dataclass(frozen=True)
class Task:
    id: str
    title: str
    function: str
    points: int
    hints: tuple[str, ...]
    timeout: float = 20.0
    module: str = ""


@dataclass(frozen=True)
class Module:
    id: str
    slug: str
    title: str
    teaching_minutes: int = 0
    exercise_minutes: int = 0
    checks: str | None = None
    tasks: tuple[Task, ...] = field(default_factory=tuple)

    @property
    def lesson(self) -> Path:
        return ROOT / "notebooks" / f"{self.slug}.ipynb"

    @property
    def exercises(self) -> Path:
        return ROOT / "notebooks" / f"{self.slug}_exercises.ipynb"

    @property
    def solutions(self) -> Path:
        return ROOT / "solutions" / f"{self.slug}_exercises.ipynb"

    @property
    def points(self) -> int:
        return sum(t.points for t in self.tasks)


@cache
def load(path: Path = MANIFEST) -> tuple[Module, ...]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    modules = []
    for m in data["module"]:
        tasks = tuple(
            Task(
                id=t["id"],
                title=t["title"],
                function=t["function"],
                points=int(t["points"]),
                hints=tuple(t["hints"]),
                timeout=float(t.get("timeout", 20)),
                module=m["id"],
            )
            for t in m.get("task", [])
        )
        fields = {k: v for k, v in m.items() if k != "task"}
        modules.append(Module(**fields, tasks=tasks))
    return tuple(modules)


def module(module_id: str) -> Module:
    wanted = module_id.zfill(2)
    for m in load():
        if m.id == wanted:
            return m
    known = ", ".join(m.id for m in load())
    raise KeyError(f"no module {module_id!r} in course.toml (known: {known})")


def task(task_id: str) -> Task:
    for m in load():
        for t in m.tasks:
            if t.id == task_id:
                return t
    raise KeyError(f"no task {task_id!r} in course.toml")


def graded_modules() -> tuple[Module, ...]:
    return tuple(m for m in load() if m.tasks)


def select(ids: list[str] | None) -> list[Module]:
    """The graded modules named by ``ids`` (all of them when None); KeyError if unknown."""
    chosen = [module(i) for i in ids] if ids else list(graded_modules())
    return [m for m in chosen if m.tasks]


def readme_table() -> str:
    """The module table of the README, rendered from the manifest."""
    rows = [
        "| # | Module | Lesson | Exercises | Time (teach + practise) | Points |",
        "|---|---|---|---|---|---|",
    ]
    for m in load():
        exercises = f"[{m.exercises.name}](notebooks/{m.exercises.name})" if m.tasks else "–"
        rows.append(
            f"| {m.id} | {m.title} | [{m.lesson.name}](notebooks/{m.lesson.name}) | {exercises} "
            f"| {m.teaching_minutes} + {m.exercise_minutes} min | {m.points or '–'} |"
        )
    return "\n".join(rows)
