"""Grade exercise notebooks and print a scoreboard: a pytest run with the course's plugin.

    python -m asynclab.grade                  # every module's exercise notebook, in parallel
    python -m asynclab.grade --module 01      # one module
    python -m asynclab.grade --module 01 --notebook path/to/copy.ipynb   # a given file
    python -m asynclab.grade --module 01 -k 1.2                          # some tasks only
    python -m asynclab.grade --json report.json --junit report.xml      # machine-readable too
    python -m asynclab.grade --solutions      # the course's own solutions (maintainers)

Grading a class (a summary line per notebook, a CSV of points and statuses per task, no
hints used up; notebooks are graded in parallel on all cores):

    python -m asynclab.grade --module 01 --notebook a.ipynb --notebook b.ipynb --csv grades.csv
    python -m asynclab.grade --class-dir submissions/      # every copy found there

How it works: this builds a pytest command line and runs it in this process:
``pytest -p asynclab.grading.plugin -p no:nbval --noconftest -c <the grader's ini> ...``
over the notebooks (``-n N --dist loadfile`` with pytest-xdist when there are several). The
plugin (``asynclab/grading/plugin.py``) makes each task a test item; the grading itself is
``asynclab/grading/runner.py``: the learner's cells run in a fresh kernel, each with a time
limit, then each task's canonical check; a hang or a dead kernel gets the kernel restarted
and the other cells re-run. The notebook file is only ever read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from . import manifest, paths
from .grading.classes import find_copies, learner_name, missing
from .grading.kernel import Kernel, cell_timeout
from .grading.reports import scoreboard, to_json, write_csv
from .grading.runner import Report, grade_notebook

__all__ = [
    "Kernel", "Report", "cell_timeout", "grade_notebook", "main", "pytest_args", "scoreboard", "to_json", "write_csv",
]

INI = Path(__file__).resolve().parent / "grading" / "pytest.ini"
AUTOLOAD = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"


def _workers(requested: int | None, notebooks: int) -> int:
    """pytest-xdist workers: as asked, else one per core for several notebooks; none for one
    (starting workers costs more than it saves on a single notebook)."""
    if requested is not None:
        return max(0, requested)
    if notebooks <= 1:
        return 0
    return min(os.cpu_count() or 1, notebooks)


def _cost(job: dict[str, str]) -> float:
    """A notebook's expected grading time, to start the longest first (xdist's loadfile hands
    out whole notebooks in order): its module's declared time limits. (Not the file's size:
    a learner's outputs make that meaningless.)"""
    return sum(t.timeout for t in manifest.module(job["module"]).tasks)


def pytest_args(jobs_file: Path, notebooks: list[Path], *, workers: int = 0, extra: list[str] | None = None) -> list[str]:
    """The pytest command line that grades ``notebooks`` (listed in ``jobs_file``)."""
    # Node ids (and JUnit class names) are paths relative to the notebooks' common folder.
    rootdir = Path(os.path.commonpath([p.resolve().parent for p in notebooks])) if notebooks else Path.cwd()
    args = [
        "-p", "asynclab.grading.plugin",
        "-p", "no:nbval",  # nbval's own collection would take the notebooks cell by cell
        # (also blocked when plugins are not auto-loaded, as run_pytest does)
        "-p", "no:cacheprovider", "-p", "no:warnings",
        "--noconftest", "-c", str(INI), "--rootdir", str(rootdir),
        "-q", "-s", "--tb=no", "-rN", "--color=no",
        "--asynclab-jobs", str(jobs_file), "--asynclab-plain",
    ]
    if workers:
        # in the order given (longest first), not xdist's "most items first"
        args += ["-p", "xdist.plugin", "-n", str(workers), "--dist", "loadfile", "--no-loadscope-reorder"]
    return args + (extra or []) + [str(p) for p in notebooks]


def run_pytest(jobs: list[dict[str, str]], *, workers: int = 0, extra: list[str] | None = None,
               expected: list[tuple[str, str]] | None = None) -> int:
    import pytest

    jobs = [{**job, "index": i} for i, job in enumerate(jobs)]  # the scoreboard's order
    jobs = sorted(jobs, key=_cost, reverse=True) if workers else jobs
    with tempfile.TemporaryDirectory(prefix="asynclab-grade-") as tmp:
        for i, job in enumerate(jobs):
            if not Path(job["path"]).is_file():
                # pytest collects only files that exist: an empty stand-in is collected in its
                # place, and grading the real path says what is wrong with it.
                stand_in = Path(tmp) / str(i) / Path(job["path"]).name
                stand_in.parent.mkdir()
                stand_in.touch()
                job["collect"] = str(stand_in)
        jobs_file = Path(tmp) / "jobs.json"
        jobs_file.write_text(json.dumps({"jobs": jobs, "missing": expected or []}), encoding="utf-8")
        saved = {k: os.environ.pop(k) for k in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", AUTOLOAD) if k in os.environ}
        # Only the plugins named on the command line: the installed ones (hypothesis, anyio,
        # nbval...) cost seconds of start-up in the grader and in every xdist worker.
        os.environ[AUTOLOAD] = "1"
        try:
            code = pytest.main(pytest_args(jobs_file, [Path(j.get("collect", j["path"])) for j in jobs], workers=workers, extra=extra))
        finally:
            os.environ.pop(AUTOLOAD, None)
            os.environ.update(saved)
    return int(code)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m asynclab.grade", description="Grade the exercise notebooks and print a scoreboard.")
    parser.add_argument("--module", "-m", action="append", help="module id, e.g. 01 (repeatable)")
    parser.add_argument("--notebook", type=Path, action="append",
                        help="grade this file instead (needs one --module; repeat it to grade a class)")
    parser.add_argument("--class-dir", type=Path,
                        help="grade every learner's copy found under this folder; writes a CSV summary")
    parser.add_argument("--solutions", action="store_true", help="grade the course's solution notebooks")
    parser.add_argument("--csv", type=Path, help="CSV summary, one row per notebook (default with --class-dir: DIR/grades.csv)")
    parser.add_argument("--json", type=Path, help="also write a machine-readable report here")
    parser.add_argument("--junit", type=Path, help="also write a JUnit XML report here (a test case per task)")
    parser.add_argument("--no-hints", action="store_true", help="do not show hints on the scoreboard (grading never uses one up)")
    parser.add_argument("-k", dest="keyword", help="grade only the tasks matching this pytest -k expression, e.g. 1.2")
    parser.add_argument("-n", "--workers", type=int, help="notebooks graded at once (default: one per core)")
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    try:
        modules = manifest.select(args.module)
    except KeyError as exc:
        parser.error(str(exc.args[0]))
    if sum(map(bool, (args.notebook, args.class_dir, args.solutions))) > 1:
        parser.error("use only one of --notebook, --class-dir and --solutions")
    if args.notebook and len(modules) != 1:
        parser.error("--notebook needs exactly one --module")

    class_mode = bool(args.class_dir or (args.notebook and len(args.notebook) > 1))
    expected: list[tuple[str, str]] = []
    if args.class_dir:
        if not args.class_dir.is_dir():
            parser.error(f"--class-dir {args.class_dir} is not a folder")
        copies = find_copies(args.class_dir, modules)
        if not copies:
            names = ", ".join(m.exercises.name for m in modules)
            print(f"No learner notebooks found under {args.class_dir} (looked for {names}).")
            return 2
        expected = missing(copies, modules)
    elif args.notebook:
        copies = [(learner_name(p, modules[0]), modules[0], p) for p in args.notebook]
    elif args.solutions:
        copies = [("solutions", m, m.solutions) for m in modules]
    else:
        copies = [("", m, paths.learner_notebook(m)) for m in modules]

    jobs = [{"path": str(p), "module": m.id, "learner": who} for who, m, p in copies]
    workers = _workers(args.workers, len(jobs))
    extra = []
    if args.keyword:
        extra += ["-k", args.keyword]
    if args.json:
        extra += ["--asynclab-json", str(args.json)]
    if args.junit:
        extra += ["--junitxml", str(args.junit)]
    if args.no_hints:
        extra += ["--asynclab-no-hints"]
    csv_path = args.csv or (args.class_dir / "grades.csv" if args.class_dir else None)
    if csv_path:
        extra += ["--asynclab-csv", str(csv_path)]
    if class_mode:
        extra += ["--asynclab-class"]
        print(f"grading {len(jobs)} notebook(s), each in a fresh kernel"
              f"{f', {workers} at a time' if workers else ''}; learners' hints are not used up", flush=True)
    else:
        for job in jobs:
            print(f"grading module {job['module']} ({Path(job['path']).name}) in a fresh kernel...", flush=True)
    code = run_pytest(jobs, workers=workers, extra=extra, expected=expected)
    if code == 2:  # pytest's "interrupted": Ctrl-C
        print("\nGrading stopped (Ctrl-C); nothing was changed.")
        return 130
    return code


def __getattr__(name: str) -> float:
    if name == "CELL_TIMEOUT":  # the per-cell limit as the environment sets it now
        return cell_timeout()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _installed() -> bool:
    """The grader needs the course's environment; a plain system Python lacks it."""
    try:
        import jupyter_client  # noqa: F401
        import pytest  # noqa: F401
    except ImportError:
        print(
            f"This Python ({sys.executable}) does not have the course installed. Run `make check` "
            "instead, or `.venv/bin/python -m asynclab.grade` from the course folder.",
            file=sys.stderr,
        )
        return False
    return True


if __name__ == "__main__":
    sys.exit(main() if _installed() else 2)
