"""Re-grade exercises each time their notebook is saved, and print the scoreboard.

    python -m asynclab.watch --module 01     # or: make watch MODULE=01
    python -m asynclab.watch                 # every module's exercise notebook

Save the notebook in JupyterLab (Ctrl-S) and the scoreboard appears here a few seconds
later. Stop with Ctrl-C. Watching does not use up hints: the scoreboard shows the next
one, and ``hint("N.M")`` in the notebook reveals it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from . import manifest, paths
from .grade import Report, grade_notebook, scoreboard

Stamp = tuple[int, int] | None
SETTLE = 0.3  # seconds a file must stay unchanged before it is graded (a save in progress)


def stamp(path: Path) -> Stamp:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def watch(
    targets: list[tuple[manifest.Module, Path]],
    *,
    interval: float = 0.5,
    grade: Callable[[manifest.Module, Path], Report] = grade_notebook,
    out: TextIO | None = None,
    max_grades: int | None = None,
) -> int:
    """Grade each target now and again after every save; return how many gradings ran.
    ``max_grades`` stops the loop (for tests); otherwise it runs until Ctrl-C."""
    out = out or sys.stdout
    clear = "\x1b[2J\x1b[H" if out.isatty() else ""
    last: dict[Path, Stamp] = {}
    pending = list(targets)  # everything is graded once at the start
    grades = 0
    while True:
        for module, path in pending:
            last[path] = stamp(path)
            started = time.strftime("%H:%M:%S")
            print(f"{clear}[{started}] grading {path.name}...", file=out, flush=True)
            report = grade(module, path)
            grades += 1
            print(scoreboard([report], show_hints=True), file=out)
            print(f"\nWatching {', '.join(p.name for _, p in targets)}: save to re-grade, Ctrl-C to stop.", file=out, flush=True)
            if max_grades is not None and grades >= max_grades:
                return grades
        pending = []
        while not pending:
            time.sleep(interval)
            changed = {p: stamp(p) for _, p in targets if stamp(p) != last.get(p)}
            if changed:
                # Grade a file once it has stopped changing; if it is still being written,
                # the next round sees it again.
                time.sleep(SETTLE)
                pending = [(m, p) for m, p in targets if p in changed and stamp(p) == changed[p]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m asynclab.watch", description="Re-grade exercise notebooks each time they are saved.")
    parser.add_argument("--module", "-m", action="append", help="module id, e.g. 01 (repeatable; default: all)")
    parser.add_argument("--notebook", type=Path, help="watch this file instead (needs one --module)")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between looks at the files")
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    try:
        modules = manifest.select(args.module)
    except KeyError as exc:
        parser.error(str(exc.args[0]))
    if not modules:
        parser.error("that module has no exercises")
    if args.notebook and len(modules) != 1:
        parser.error("--notebook needs exactly one --module")
    targets = [(m, args.notebook or paths.learner_notebook(m)) for m in modules]
    try:
        watch(targets, interval=args.interval)
    except KeyboardInterrupt:
        print("\nStopped watching.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
