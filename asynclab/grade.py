"""Grade exercise notebooks in a fresh kernel and print a scoreboard.

    python -m asynclab.grade                  # every module's notebooks/NN_*_exercises.ipynb
    python -m asynclab.grade --module 01      # one module
    python -m asynclab.grade --module 01 --notebook path/to/copy.ipynb   # a given file
    python -m asynclab.grade --json report.json --junit report.xml      # machine-readable too

Grading a class (a summary line per notebook, a CSV of points per task, no hints used up):

    python -m asynclab.grade --module 01 --notebook a.ipynb --notebook b.ipynb --csv grades.csv
    python -m asynclab.grade --class-dir submissions/      # every copy found there

How it works: the learner's code cells run one by one in a fresh kernel, each with a time
limit; inline ``check()`` cells are no-ops while grading. Then each task's canonical check
(``exercises_tests/checks_NN.py``) runs in the same kernel. A cell or check that hangs, or
kills the kernel, gets the kernel restarted and the notebook's other cells re-run, so one
hang never hides the other tasks. The kernel's memory is capped and only the first
OUTPUT_LIMIT characters of each cell's output are kept. The notebook file is only ever
read, never written; the kernel, the lab service and anything the learner's code started
are gone when grading ends.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import queue
import re
import shutil
import signal
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import manifest, paths
from .checking import (  # OUTPUT_LIMIT: characters of output kept per cell; the rest is dropped
    GRADING,
    ICONS,
    OUTPUT_LIMIT,
    RESULT_MIME,
    Outcome,
    hints_seen,
    task_timeout,
)
from .generate import CHECK_CALL, defines

PROFILE_DIR = Path(__file__).resolve().parent / "ipython_profile"
CELL_TIMEOUT = float(os.environ.get("ASYNCLAB_CELL_TIMEOUT", "30"))  # per learner cell
CHECK_GRACE = 20.0  # seconds a check may take beyond its task's time limit before a restart
ANSI = re.compile(r"\x1b\[[0-9;]*m")
CELL_LINE = re.compile(r"(?:Cell In\[\d+\]|ipykernel_\d+[\\/]\d+\.py), line (\d+)")


def memory_limit_mb() -> int:
    """The grader's kernel memory cap: ASYNCLAB_KERNEL_MEMORY_MB (0 = none), else half the
    machine's memory, at least 2 GB and at most 8 GB."""
    configured = os.environ.get("ASYNCLAB_KERNEL_MEMORY_MB")
    if configured:
        return int(configured)
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (AttributeError, ValueError, OSError):  # Windows: no cap is applied there anyway
        return 4096
    return max(2048, min(8192, total // 2))


# --------------------------------------------------------------------------- kernel
@dataclass
class CellRun:
    status: str  # "ok", "error", "timeout", "dead"
    error: str = ""
    results: list[dict[str, Any]] = field(default_factory=list)
    output_chars: int = 0
    output: str = ""  # the first OUTPUT_LIMIT characters of what the cell printed
    exit_code: int | None = None  # when the kernel died


class Kernel:
    """A fresh IPython kernel, restarted when learner code hangs or kills it.

    With ``grading=True`` (the grader) inline check() cells are no-ops, the kernel's memory
    is capped and each cell's output is cut after OUTPUT_LIMIT characters; with
    ``grading=False`` it behaves like the learner's own kernel in JupyterLab.
    """

    def __init__(self, cwd: Path, *, grading: bool = True) -> None:
        from jupyter_client import KernelManager

        env = dict(os.environ)
        env.update({"IPYTHONDIR": str(PROFILE_DIR), "MPLBACKEND": "Agg"})
        env.pop(GRADING, None)
        if grading:
            env[GRADING] = "1"
        env.pop("ASYNCLAB_STRICT", None)
        self.grading = grading
        self.km = KernelManager(kernel_name="python3")
        self._tmp = Path(tempfile.mkdtemp(prefix="asynclab-kernel-"))
        if os.name == "posix":  # local sockets instead of TCP ports; quieter and nothing to expose
            self.km.transport = "ipc"
            self.km.ip = str(self._tmp / "kernel")
        try:
            self.km.start_kernel(cwd=str(cwd), env=env)
            self._connect()
        except BaseException:
            self.shutdown()
            raise

    def _connect(self) -> None:
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)
        if self.grading:
            self.run(
                "__import__('asynclab.checking', fromlist=['_'])"
                f".prepare_grading_kernel({memory_limit_mb()})",
                60,
            )

    def restart(self) -> None:
        self.kc.stop_channels()
        self.km.restart_kernel(now=True)
        self._connect()

    def shutdown(self) -> None:
        try:
            if hasattr(self, "kc"):
                self.kc.stop_channels()
        finally:
            try:
                # SIGKILL to the kernel's process group: the lab service and whatever the
                # learner's code started (servers, subprocesses) go with it.
                if self.km.has_kernel:
                    self.km.shutdown_kernel(now=True)
            finally:
                shutil.rmtree(self._tmp, ignore_errors=True)

    @property
    def pid(self) -> int | None:
        proc = getattr(self.km.provisioner, "process", None)
        return getattr(proc, "pid", None)

    def exit_code(self) -> int | None:
        proc = getattr(self.km.provisioner, "process", None)
        try:
            return None if proc is None else proc.poll()
        except OSError:
            return None

    def run(self, code: str, timeout: float) -> CellRun:
        msg_id = self.kc.execute(code, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + timeout
        run = CellRun("ok")
        while True:
            try:
                msg = self.kc.get_iopub_msg(timeout=0.5)
            except queue.Empty:
                if not self.km.is_alive():
                    run.status = "dead"
                    run.exit_code = self.exit_code()
                    return run
                if time.monotonic() > deadline:
                    run.status = "timeout"
                    return run
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                text = content.get("text", "")
                if len(run.output) < OUTPUT_LIMIT:
                    run.output += text[: OUTPUT_LIMIT - len(run.output)]
                run.output_chars += len(text)
            elif kind in ("display_data", "execute_result"):
                data = content.get("data", {})
                if RESULT_MIME in data:
                    run.results.append(data[RESULT_MIME])
            elif kind == "error":
                run.status = "error"
                run.error = _describe_error(content)
            elif kind == "status" and content.get("execution_state") == "idle":
                return run
            if time.monotonic() > deadline:
                run.status = "timeout"
                return run


def _describe_error(content: dict[str, Any]) -> str:
    name, value = content.get("ename", "Error"), str(content.get("evalue", ""))
    value = re.sub(r" \([^()]*\.py, line \d+\)$", "", value)  # SyntaxError: "(123.py, line 3)"
    if len(value) > 300:
        value = value[:300] + "..."
    lines = [m.group(1) for frame in content.get("traceback", []) for m in CELL_LINE.finditer(ANSI.sub("", frame))]
    line = f" (line {lines[-1]} of the cell)" if lines else ""
    return f"{name}{line}: {value}" if value else f"{name}{line}"


def describe_death(exit_code: int | None) -> str:
    """What became of a kernel that stopped, in plain words."""
    if exit_code is None:
        return "the kernel died"
    if exit_code < 0:
        try:
            name = signal.Signals(-exit_code).name
        except ValueError:
            name = f"signal {-exit_code}"
        if name in ("SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE", "SIGABRT"):
            return f"the kernel crashed ({name}: code that reads a bad address, e.g. through ctypes?)"
        if name == "SIGKILL":
            return "the kernel was killed (SIGKILL: did the machine run out of memory?)"
        return f"the kernel was stopped by {name}"
    if exit_code == 0:
        return "the kernel exited (exit(), quit() or os._exit(0)?)"
    return f"the kernel exited with code {exit_code} (os._exit()? a crash?)"


# --------------------------------------------------------------------------- notebook
@dataclass
class Report:
    module: str
    title: str
    notebook: str
    outcomes: list[Outcome]
    notes: list[str]
    seconds: float
    problem: str = ""  # set when the notebook could not be read at all

    @property
    def earned(self) -> int:
        return sum(o.earned for o in self.outcomes)

    @property
    def points(self) -> int:
        return sum(o.points for o in self.outcomes)


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


def read_cells(path: Path) -> list[str]:
    """The sources of the code cells; a plain-words ValueError when the file is unusable."""
    return _code_cells(read_notebook(path))


def _code_cells(nb: dict[str, Any]) -> list[str]:
    out = []
    for c in nb["cells"]:
        if isinstance(c, dict) and c.get("cell_type") == "code":
            src = c.get("source", "")
            out.append("".join(map(str, src)) if isinstance(src, list) else str(src))
    return out


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip() and not line.strip().startswith("#"):
            return line.strip()[:60]
    return "(empty cell)"


def _cell_failure(source: str, run: CellRun) -> str:
    cell = f"the cell starting `{_first_line(source)}`"
    if run.status == "timeout":
        return f"{cell} never finished running (more than {CELL_TIMEOUT:g} s)"
    if run.status == "dead":
        return f"{describe_death(run.exit_code)} while running {cell}"
    return f"{cell} raised {run.error}"


def _version_notes(nb: dict[str, Any], module: manifest.Module) -> list[str]:
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
        try:
            from .generate import build

            current = build(module)["metadata"]["asynclab"]["version"]
        except Exception:  # the course's own source is being edited: no comparison
            current = meta["version"]
        if meta["version"] != current:
            notes.append(
                "this notebook was made from an older version of the exercises "
                f"({meta['version']}; the course now has {current}). It is graded anyway. To get "
                f"the current tasks: `make reset MODULE={module.id}` (your copy is kept in notebooks/backups/)."
            )
    return notes


def grade_notebook(
    module: manifest.Module, path: Path | None = None, *, only: tuple[str, ...] | None = None
) -> Report:
    """Grade one module's notebook (or ``path``); ``only`` limits it to some task ids."""
    path = Path(path or paths.learner_notebook(module))
    tasks = [t for t in module.tasks if only is None or t.id in only]
    started = time.monotonic()
    notes: list[str] = []

    def report(outcomes: list[Outcome], problem: str = "") -> Report:
        return Report(module.id, module.title, str(path), outcomes, notes, time.monotonic() - started, problem)

    try:
        nb = read_notebook(path)
    except ValueError as exc:
        problem = (
            f"{exc} Restore a fresh copy with `make reset MODULE={module.id}` "
            f"(or `python -m asynclab.reset {module.id}`); yours is kept in notebooks/backups/."
        )
        return report([Outcome(t.id, t.title, "error", problem, t.points, 0) for t in tasks], problem)
    cells = _code_cells(nb)
    notes += _version_notes(nb, module)

    calls = {m for src in cells for m in CHECK_CALL.findall(src)}
    for t in tasks:
        if t.id not in calls:
            notes.append(f"the check cell of task {t.id} was edited or deleted: graded with the canonical check.")

    kernel = Kernel(path.parent)
    try:
        broken: dict[int, CellRun] = {}  # cell index -> how it failed

        def run_cells() -> None:
            for i, src in enumerate(cells):
                if i in broken or not src.strip():
                    continue
                run = kernel.run(src, CELL_TIMEOUT)
                if run.status in ("timeout", "dead"):
                    broken[i] = run
                    kernel.restart()
                    run_cells()  # start over in the fresh kernel, skipping what hung
                    return
                if run.status == "error":
                    broken[i] = run

        run_cells()
        outcomes = []
        for t in tasks:
            outcomes.append(_grade_task(kernel, t, cells, broken, run_cells))
        return report(outcomes)
    finally:
        kernel.shutdown()


def _grade_task(kernel: Kernel, t: manifest.Task, cells: list[str], broken: dict[int, CellRun], rerun) -> Outcome:
    def outcome(status: str, message: str) -> Outcome:
        return Outcome(t.id, t.title, status, message, t.points, 0)

    where = [i for i, src in enumerate(cells) if defines(src, t.function)]
    for i in where:
        if i in broken:
            run = broken[i]
            cell = f"the cell that defines {t.function}"
            if run.status == "timeout":
                return outcome("timed out", f"{cell} never finished running (more than {CELL_TIMEOUT:g} s): a loop that never ends at the top level of the cell?")
            if run.status == "dead":
                return outcome("error", f"{describe_death(run.exit_code)} while running {cell}.")
            return outcome("error", f"{cell} failed: {run.error}")
    run = kernel.run(f"await __import__('asynclab.checking', fromlist=['grade']).grade({t.id!r})", task_timeout(t) + CHECK_GRACE)
    if run.status in ("timeout", "dead"):
        kernel.restart()
        rerun()
        if run.status == "timeout":
            result = outcome(
                "timed out",
                f"{t.function}() did not finish within {task_timeout(t):g} s and could not be stopped, so "
                "the grader restarted the kernel. Something in it never gives control back: a loop "
                "without `await`, time.sleep(), or one huge computation?",
            )
        else:
            result = outcome("error", f"{describe_death(run.exit_code)} while {t.function}() was running.")
    elif run.results:
        result = Outcome(**run.results[-1])
    else:
        result = outcome("error", f"the check could not run: {run.error or 'no result'}")
    return _blame_earlier_cell(result, t, cells, broken, where)


def _blame_earlier_cell(result: Outcome, t: manifest.Task, cells: list[str], broken: dict[int, CellRun], where: list[int]) -> Outcome:
    """A task that did not pass while an earlier cell failed (say, the setup cell) points at
    that cell: it is the likely cause, and the first thing to fix."""
    if result.status in ("passed", "not attempted"):
        return result
    before = min(where) if where else len(cells)
    earlier = sorted(i for i in broken if i < before)
    if not earlier:
        return result
    cause = _cell_failure(cells[earlier[0]], broken[earlier[0]])
    if result.status == "error" and re.search(r"\b(NameError|ImportError|ModuleNotFoundError)\b", result.message):
        # Something the earlier cell should have defined or imported is missing: lead with it.
        message = (
            f"an earlier cell failed, so {t.function}() could not work: {cause}. Fix that cell "
            f"first, then run all cells again. (The check saw: {result.message})"
        )
        return dataclasses.replace(result, message=message)
    return dataclasses.replace(result, notes=[*result.notes, f"an earlier cell failed: {cause}."])


# --------------------------------------------------------------------------- output
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


def to_json(reports: list[Report]) -> dict[str, Any]:
    return {
        "earned": sum(r.earned for r in reports),
        "points": sum(r.points for r in reports),
        "modules": [
            {**{k: v for k, v in asdict(r).items() if k != "outcomes"}, "tasks": [asdict(o) for o in r.outcomes]}
            for r in reports
        ],
    }


def to_junit(reports: list[Report], learners: list[str] | None = None) -> str:
    """JUnit XML: a test suite per graded notebook, a test case per task. "failed" and
    "timed out" are failures, "error" is an error, "not attempted" is skipped."""
    root = ET.Element("testsuites", name="asynclab")
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for i, r in enumerate(reports):
        who = f"{learners[i]}: " if learners else ""
        counts = {
            "tests": len(r.outcomes),
            "failures": sum(o.status in ("failed", "timed out") for o in r.outcomes),
            "errors": sum(o.status == "error" for o in r.outcomes),
            "skipped": sum(o.status == "not attempted" for o in r.outcomes),
        }
        suite = ET.SubElement(
            root, "testsuite", name=f"{who}module {r.module} {r.title}", time=f"{r.seconds:.3f}",
            **{k: str(v) for k, v in counts.items()},
        )
        props = ET.SubElement(suite, "properties")
        for key, value in (("notebook", r.notebook), ("earned", r.earned), ("points", r.points)):
            ET.SubElement(props, "property", name=key, value=str(value))
        for note in r.notes:
            ET.SubElement(props, "property", name="note", value=note)
        for o in r.outcomes:
            case = ET.SubElement(
                suite, "testcase", classname=f"{who}module{r.module}", name=f"{o.task} {o.title}", time="0"
            )
            text = "\n".join([f"{o.status}: {o.message}", *(f"note: {n}" for n in o.notes)])
            if o.status in ("failed", "timed out"):
                ET.SubElement(case, "failure", message=o.message, type=o.status).text = text
            elif o.status == "error":
                ET.SubElement(case, "error", message=o.message, type="error").text = text
            elif o.status == "not attempted":
                ET.SubElement(case, "skipped", message=o.message)
            ET.SubElement(case, "system-out").text = f"{o.earned}/{o.points} points"
        for k, v in counts.items():
            totals[k] += v
    for k, v in totals.items():
        root.set(k, str(v))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_csv(path: Path, rows: list[tuple[str, Report]]) -> None:
    """One row per graded notebook: learner, module, points per task, total, statuses."""
    task_ids = [t.id for m in manifest.load() for t in m.tasks]
    used = [t for t in task_ids if any(o.task == t for _, r in rows for o in r.outcomes)]
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["learner", "module", *used, "earned", "points", "passed", "notebook", "notes"])
        for learner, r in rows:
            by_task = {o.task: o for o in r.outcomes}
            cells = [by_task[t].earned if t in by_task else "" for t in used]
            passed = sum(o.passed for o in r.outcomes)
            notes = " | ".join([r.problem] if r.problem else [*r.notes])
            out.writerow([learner, r.module, *cells, r.earned, r.points, f"{passed}/{len(r.outcomes)}", r.notebook, notes])


# --------------------------------------------------------------------------- command line
def _learner_name(path: Path, module: manifest.Module, base: Path | None = None) -> str:
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
            found.append((_learner_name(path, m, class_dir), m, path))
    return found


def _summary_line(learner: str, r: Report) -> str:
    icons = "".join(ICONS.get(o.status, "?") for o in r.outcomes)
    return f"{learner:<24} module {r.module}  {r.earned:>3}/{r.points:<3} points  {icons}  ({r.seconds:.1f} s)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m asynclab.grade", description="Grade the exercise notebooks and print a scoreboard.")
    parser.add_argument("--module", "-m", action="append", help="module id, e.g. 01 (repeatable)")
    parser.add_argument("--notebook", type=Path, action="append",
                        help="grade this file instead (needs one --module; repeat it to grade a class)")
    parser.add_argument("--class-dir", type=Path,
                        help="grade every learner's copy found under this folder; writes a CSV summary")
    parser.add_argument("--csv", type=Path, help="CSV summary, one row per notebook (default with --class-dir: DIR/grades.csv)")
    parser.add_argument("--json", type=Path, help="also write a machine-readable report here")
    parser.add_argument("--junit", type=Path, help="also write a JUnit XML report here (a test case per task)")
    parser.add_argument("--no-hints", action="store_true", help="do not show hints on the scoreboard (grading never uses one up)")
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    try:
        modules = manifest.select(args.module)
    except KeyError as exc:
        parser.error(str(exc.args[0]))
    if args.notebook and args.class_dir:
        parser.error("use either --notebook or --class-dir")
    if args.notebook and len(modules) != 1:
        parser.error("--notebook needs exactly one --module")

    if args.class_dir or (args.notebook and len(args.notebook) > 1):
        if args.class_dir:
            if not args.class_dir.is_dir():
                parser.error(f"--class-dir {args.class_dir} is not a folder")
            copies = find_copies(args.class_dir, modules)
            if not copies:
                names = ", ".join(m.exercises.name for m in modules)
                print(f"No learner notebooks found under {args.class_dir} (looked for {names}).")
                return 2
        else:
            copies = [(_learner_name(p, modules[0]), modules[0], p) for p in args.notebook]
        try:
            return _grade_class(copies, args.csv or (args.class_dir / "grades.csv" if args.class_dir else None), args)
        except KeyboardInterrupt:
            print("\nGrading stopped (Ctrl-C); no summary written.")
            return 130

    reports = []
    try:
        for m in modules:
            path = args.notebook[0] if args.notebook else paths.learner_notebook(m)
            print(f"grading module {m.id} ({path.name}) in a fresh kernel...", flush=True)
            reports.append(grade_notebook(m, path))
    except KeyboardInterrupt:
        print("\nGrading stopped (Ctrl-C); nothing was changed.")
        return 130
    print(scoreboard(reports, show_hints=not args.no_hints))
    _write_reports(args, reports)
    if args.csv:
        write_csv(args.csv, [(_learner_name(Path(r.notebook), manifest.module(r.module)), r) for r in reports])
    return 0 if all(o.passed for r in reports for o in r.outcomes) else 1


def _grade_class(copies: list[tuple[str, manifest.Module, Path]], csv_path: Path | None, args: argparse.Namespace) -> int:
    rows = []
    print(f"grading {len(copies)} notebook(s), each in a fresh kernel; learners' hints are not used up", flush=True)
    for learner, m, path in copies:
        report = grade_notebook(m, path)
        rows.append((learner, report))
        print(_summary_line(learner, report), flush=True)
    _write_reports(args, [r for _, r in rows], [learner for learner, _ in rows])
    if csv_path:
        write_csv(csv_path, rows)
        print(f"wrote {csv_path}")
    return 0


def _write_reports(args: argparse.Namespace, reports: list[Report], learners: list[str] | None = None) -> None:
    if args.json:
        data = to_json(reports)
        if learners:
            for entry, learner in zip(data["modules"], learners, strict=True):
                entry["learner"] = learner
        args.json.write_text(json.dumps(data, indent=2), encoding="utf-8")
    if args.junit:
        args.junit.write_text(to_junit(reports, learners), encoding="utf-8")


def _installed() -> bool:
    """The grader needs the course's environment; a plain system Python lacks it."""
    try:
        import jupyter_client  # noqa: F401
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
