"""Reading a learner's notebook: only ever read, never written, and never a crash on a
damaged file (a plain-words ValueError instead). No nbformat: it is slow to import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .. import manifest


def read_notebook(path: Path) -> dict[str, Any]:
    """The notebook as a dict; a plain-words ValueError when the file is unusable."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValueError(f"{path.name} does not exist.") from None
    except IsADirectoryError:
        raise ValueError(f"{path.name} is a folder, not a notebook.") from None
    except OSError as exc:
        raise ValueError(f"{path.name} could not be read ({exc.strerror or exc}).") from None
    if not data.strip():
        raise ValueError(f"{path.name} is empty.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path.name} is not a text file (it is not UTF-8): is it really a notebook?") from None
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{path.name} is not valid JSON (line {exc.lineno}): was it edited outside Jupyter, "
            "or cut short while saving?"
        ) from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise ValueError(f"{path.name} is not a Jupyter notebook (it has no cells).")
    return nb


def code_cells(nb: dict[str, Any]) -> list[str]:
    """The sources of the notebook's code cells, in order."""
    out = []
    for c in nb["cells"]:
        if isinstance(c, dict) and c.get("cell_type") == "code":
            src = c.get("source", "")
            out.append("".join(map(str, src)) if isinstance(src, list) else str(src))
    return out


def first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip() and not line.strip().startswith("#"):
            return line.strip()[:60]
    return "(empty cell)"


def version_notes(nb: dict[str, Any], module: manifest.Module) -> list[str]:
    """Notes when the notebook was made for another module or from other exercises."""
    meta = nb.get("metadata", {})
    meta = meta.get("asynclab", {}) if isinstance(meta, dict) else {}
    if not isinstance(meta, dict):
        return []
    notes = []
    if meta.get("module") and meta["module"] != module.id:
        notes.append(
            f"this notebook holds the exercises of module {meta['module']}, but it was graded as "
            f"module {module.id}."
        )
    elif meta.get("version"):
        current = _current_version(module)
        if current is not None and meta["version"] != current:
            notes.append(
                "this notebook was made from an older version of the exercises "
                f"({meta['version']}; the course now has {current}). It is graded anyway. To get "
                f"the current tasks: `make reset MODULE={module.id}` (your copy is kept in notebooks/backups/)."
            )
    return notes


def _current_version(module: manifest.Module) -> str | None:
    """The version stamp of the exercises the course would generate now; None when the
    course's solution notebook is absent or cannot be built (then there is no comparison)."""
    from ..generate import CourseError, build

    if not module.solutions.is_file():
        return None
    try:
        return build(module)["metadata"]["asynclab"]["version"]
    except (CourseError, OSError, ValueError, KeyError):
        return None
