"""The course's own consistency: one dependency list, manifest and files agree, notebooks
committed clean, README links resolve."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from asynclab import manifest

ROOT = manifest.ROOT
NOTEBOOKS = sorted([*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("solutions/*.ipynb")])


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_side = {_name(r): r.replace(" ", "") for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    conda_side = {}
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("\ndependencies:", 1)[1].splitlines():
        m = re.match(r"^  - ([A-Za-z0-9_.\-]+.*)$", line)
        if m and not m.group(1).startswith(("python", "pip")):
            conda_side[_name(m.group(1))] = m.group(1).replace(" ", "")
    assert pip_side == conda_side, (
        "environment.yml and pyproject.toml list different dependencies"
    )


def test_manifest_is_ordered_and_complete() -> None:
    modules = manifest.load()
    ids = [m.id for m in modules]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    task_ids = [t.id for m in modules for t in m.tasks]
    assert len(set(task_ids)) == len(task_ids), "task ids must be unique"
    for m in modules:
        assert m.lesson.exists(), f"missing lesson {m.lesson.name}"
        for t in m.tasks:
            assert t.id.split(".")[0] == str(int(m.id)), f"task {t.id} is not numbered after module {m.id}"
            assert t.points > 0 and len(t.hints) >= 2 and all(h.strip() for h in t.hints)
        if m.tasks:
            assert m.solutions.exists() and m.exercises.exists()
            assert m.checks, f"module {m.id} has tasks but no checks module"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_committed_clean(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"{path.name}: cells {dirty} have outputs or execution counts"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_readme_links_resolve() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        if "://" not in target:
            assert (ROOT / target).exists(), f"README links to missing {target}"


@pytest.mark.parametrize("module", manifest.load(), ids=lambda m: m.id)
def test_time_estimates_match_manifest(module: manifest.Module) -> None:
    def intro(path: Path) -> str:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"][:4]
        return " ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")

    assert f"teaching {module.teaching_minutes} min" in intro(module.lesson)
    if module.tasks:
        assert f"exercises {module.exercise_minutes} min" in intro(module.lesson)
        assert f"about {module.exercise_minutes} minutes" in intro(module.solutions)
