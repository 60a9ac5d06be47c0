"""Start an exercise notebook over: save the learner's copy, restore a fresh one.

    python -m asynclab.reset 01          # or: make reset MODULE=01

The whole notebook is restored as it was handed out (generated from the solutions, exactly
as ``make exercises`` does). Your copy is first saved as
``notebooks/backups/<name>.<timestamp>.ipynb`` (never overwritten, ignored by git), so
nothing you wrote is lost. Nothing else is touched: hints you asked for stay revealed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from . import manifest, paths
from .generate import build, render

USAGE = "Usage: make reset MODULE=01   (or: python -m asynclab.reset 01)"


def _exercises() -> str:
    return ", ".join(f"{m.id} ({m.title})" for m in manifest.graded_modules())


def backup_path(target: Path, backups: Path, now: float | None = None) -> Path:
    """A new, unused name for a copy of ``target`` in ``backups``."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    path = backups / f"{target.stem}.{stamp}{target.suffix}"
    n = 2
    while path.exists():
        path = backups / f"{target.stem}.{stamp}-{n}{target.suffix}"
        n += 1
    return path


def reset(module: manifest.Module, target: Path | None = None, backups: Path | None = None) -> Path | None:
    """Restore ``target`` (the learner's copy of the module's exercise notebook) and return
    where the old copy was saved, or None when there was nothing to save (no file, or
    already fresh)."""
    target = Path(target or paths.learner_notebook(module))
    backups = Path(backups or target.parent / "backups")  # paths.backups_dir for the learner's copy
    fresh = render(build(module)).encode("utf-8")
    saved = None
    if target.exists():
        if target.read_bytes() == fresh:
            return None
        backups.mkdir(parents=True, exist_ok=True)
        saved = backup_path(target, backups)
        shutil.copy2(target, saved)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(fresh)
    os.replace(tmp, target)  # all at once: never a half-written notebook
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m asynclab.reset",
        description="Restore the whole exercise notebook as it was handed out; yours is saved first in notebooks/backups/.",
    )
    parser.add_argument("module", nargs="?", help="the module whose exercises to restore, e.g. 01")
    args = parser.parse_args(argv)
    if not args.module:
        print(f"Which exercises should be restored? {USAGE}\nExercise notebooks: {_exercises()}.")
        return 2
    try:
        module = manifest.module(args.module.strip())
    except KeyError:
        print(f"There are no exercises {args.module!r}. {USAGE}\nExercise notebooks: {_exercises()}.")
        return 2
    if not module.tasks:
        print(f"Module {module.id} has no exercise notebook. Exercise notebooks: {_exercises()}.")
        return 2
    target = paths.learner_notebook(module)
    existed = target.exists()
    saved = reset(module)
    rel = target.relative_to(manifest.ROOT) if target.is_relative_to(manifest.ROOT) else target
    if saved is None and existed:
        print(f"{rel} is already fresh: nothing to restore.")
        return 0
    if saved is not None:
        kept = saved.relative_to(manifest.ROOT) if saved.is_relative_to(manifest.ROOT) else saved
        print(f"Saved your copy as {kept}.")
    print(
        f"Restored a fresh {rel}. The whole notebook is as it was handed out; if it is open in "
        "JupyterLab, use File > Reload Notebook from Disk (do not save the old one over it)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
