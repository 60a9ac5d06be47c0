"""The course as a normal (non-editable) install, as a JupyterHub image installs it: the
manifest, checks and notebooks come from the package, and the learner's files (notebooks,
hint state) live in a workspace of their own, never in the package."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from asynclab import manifest

ROOT = manifest.ROOT


def _sources(dest: Path) -> Path:
    """The committed files only (a build must not write into the checkout)."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


@pytest.mark.integration
def test_normal_install_grades_in_a_separate_workspace(tmp_path: Path) -> None:
    source, lib, home = _sources(tmp_path / "src"), tmp_path / "lib", tmp_path / "home"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(lib), str(source)],
        check=True, capture_output=True, timeout=300,
    )
    home.mkdir()
    env = {**os.environ, "PYTHONPATH": str(lib), "PYTHONIOENCODING": "utf-8"}
    env.pop("ASYNCLAB_HINTS", None)
    env.pop("ASYNCLAB_WORKSPACE", None)

    def python(*args: str, cwd: Path = home) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=300)

    where = python("-c", "import asynclab.manifest as m; print(m.ROOT)").stdout.strip()
    assert Path(where) == lib / "asynclab" / "course", "the course files must come from the package"

    made = python("-m", "asynclab.paths", "init-workspace", str(home))
    assert made.returncode == 0, made.stderr
    module = manifest.graded_modules()[0]
    mine = home / "notebooks" / module.exercises.name
    assert mine.read_bytes() == module.exercises.read_bytes()
    mine.write_text(mine.read_text(encoding="utf-8").replace("YOUR CODE HERE", "YOUR CODE HERE (mine)"), encoding="utf-8")
    again = python("-m", "asynclab.paths", "init-workspace", str(home))
    assert "(mine)" in mine.read_text(encoding="utf-8"), "init-workspace replaced the learner's notebook"
    assert "0 notebook(s) and 0 data file(s)" in again.stdout
    assert (home / "data" / "shop.sqlite").is_file(), "the lessons read data/ next to notebooks/"

    # A kernel runs in notebooks/, the grader in the folder above: both find the same workspace.
    seen = python("-c", "from asynclab import hint; hint('1.1')", cwd=home / "notebooks")
    assert "Hint 1/" in seen.stdout, seen.stdout + seen.stderr
    store = home / ".asynclab" / "hints.json"
    assert json.loads(store.read_text()) == {"1.1": 1}

    graded = python("-m", "asynclab.grade", "--module", module.id, "--json", str(tmp_path / "r.json"))
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["modules"][0]["notebook"] == str(mine), graded.stdout + graded.stderr
    assert {t["status"] for t in report["modules"][0]["tasks"]} == {"not attempted"}
    assert not list((lib / "asynclab").rglob("hints.json")), "learner state was written into the package"
