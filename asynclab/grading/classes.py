"""Grading a class: finding every learner's copy and naming whose it is."""

from __future__ import annotations

from pathlib import Path

from .. import manifest


def learner_name(path: Path, module: manifest.Module, base: Path | None = None) -> str:
    """Who a copy belongs to: its first folder under ``base``, else its folder when the file
    keeps the exercise's own name, else the file's name."""
    if base is not None and len(path.relative_to(base).parts) > 1:
        return path.relative_to(base).parts[0]
    if path.stem == module.exercises.stem:
        return path.parent.name if base is None and path.parent.name else path.stem
    return path.stem.replace(module.exercises.stem, "").strip("_-. ") or path.stem


def find_copies(class_dir: Path, modules: list[manifest.Module]) -> list[tuple[str, manifest.Module, Path]]:
    """Every learner's copy of each module's exercise notebook under ``class_dir``."""
    found = []
    for m in modules:
        for path in sorted(class_dir.rglob(f"*{m.exercises.stem}*.ipynb")):
            rel = path.relative_to(class_dir).parts
            if any(p in (".ipynb_checkpoints", "backups") for p in rel):
                continue
            found.append((learner_name(path, m, class_dir), m, path))
    return found


def missing(copies: list[tuple[str, manifest.Module, Path]], modules: list[manifest.Module]) -> list[tuple[str, str]]:
    """(learner, module id) for every module a learner who handed in something has no copy of."""
    learners = sorted({learner for learner, _, _ in copies})
    have = {(learner, m.id) for learner, m, _ in copies}
    return [(learner, m.id) for learner in learners for m in modules if (learner, m.id) not in have]
