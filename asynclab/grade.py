"""Grade exercise notebooks in a fresh kernel and print a scoreboard.

    python -m asynclab.grade                  # every module's notebooks/NN_*_exercises.ipynb
    python -m asynclab.grade --module 01      # one module
    python -m asynclab.grade --module 01 --notebook path/to/copy.ipynb   # a given file
    python -m asynclab.grade --json report.json

How it works: the learner's code cells run one by one in a fresh kernel, each with a time
limit; inline ``check()`` cells are no-ops while grading. Then each task's canonical check
(``exercises_tests/checks_NN.py``) runs in the same kernel. A cell or check that hangs gets
the kernel restarted and the notebook's other cells re-run, so one hang never hides the
other tasks. The notebook file is only ever read, never written.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import manifest
from .checking import GRADING, RESULT_MIME, Outcome, _mark_seen, next_hint, task_timeout
from .generate import CHECK_CALL, defines

PROFILE_DIR = Path(__file__).resolve().parent / "ipython_profile"
CELL_TIMEOUT = float(os.environ.get("ASYNCLAB_CELL_TIMEOUT", "30"))  # per learner cell
OUTPUT_LIMIT = 20_000  # characters of output kept per cell; the rest is dropped
ANSI = re.compile(r"\x1b\[[0-9;]*m")


# --------------------------------------------------------------------------- kernel
@dataclass
class CellRun:
    status: str  # "ok", "error", "timeout", "dead"
    error: str = ""
    results: list[dict[str, Any]] = field(default_factory=list)
    output_chars: int = 0


class Kernel:
    """A fresh IPython kernel, restarted when learner code hangs or kills it."""

    def __init__(self, cwd: Path) -> None:
        from jupyter_client import KernelManager

        env = dict(os.environ)
        env.update({GRADING: "1", "IPYTHONDIR": str(PROFILE_DIR), "MPLBACKEND": "Agg"})
        env.pop("ASYNCLAB_STRICT", None)
        self.km = KernelManager(kernel_name="python3")
        if os.name == "posix":  # local sockets instead of TCP ports; quieter and nothing to expose
            self.km.transport = "ipc"
            self.km.ip = str(Path(tempfile.mkdtemp(prefix="asynclab-kernel-")) / "kernel")
        self.km.start_kernel(cwd=str(cwd), env=env)
        self._connect()

    def _connect(self) -> None:
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def restart(self) -> None:
        self.kc.stop_channels()
        self.km.restart_kernel(now=True)
        self._connect()

    def shutdown(self) -> None:
        try:
            self.kc.stop_channels()
        finally:
            self.km.shutdown_kernel(now=True)

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
                    return run
                if time.monotonic() > deadline:
                    run.status = "timeout"
                    return run
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                run.output_chars += len(content.get("text", ""))
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
    name, value = content.get("ename", "Error"), content.get("evalue", "")
    line = ""
    for frame in reversed(content.get("traceback", [])):
        m = re.search(r"line (\d+)", ANSI.sub("", frame))
        if m:
            line = f" (line {m.group(1)} of the cell)"
            break
    return f"{name}{line}: {value}".strip()


# --------------------------------------------------------------------------- notebook
@dataclass
class Report:
    module: str
    title: str
    notebook: str
    outcomes: list[Outcome]
    notes: list[str]
    seconds: float

    @property
    def earned(self) -> int:
        return sum(o.earned for o in self.outcomes)

    @property
    def points(self) -> int:
        return sum(o.points for o in self.outcomes)


def read_cells(path: Path) -> list[str]:
    """The sources of the code cells; a plain-words ValueError when the file is unusable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"{path.name} does not exist. Run `make reset EX=...` or `make exercises`.") from None
    if not text.strip():
        raise ValueError(f"{path.name} is empty. Restore it with `make reset`.")
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{path.name} is not valid JSON (line {exc.lineno}): was it edited outside Jupyter? "
            "Restore it with `make reset` (your copy is kept)."
        ) from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise ValueError(f"{path.name} is not a Jupyter notebook (it has no cells).")
    out = []
    for c in cells:
        if isinstance(c, dict) and c.get("cell_type") == "code":
            src = c.get("source", "")
            out.append("".join(src) if isinstance(src, list) else str(src))
    return out


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip() and not line.strip().startswith("#"):
            return line.strip()[:60]
    return "(empty cell)"


def grade_notebook(
    module: manifest.Module, path: Path | None = None, *, only: tuple[str, ...] | None = None
) -> Report:
    """Grade one module's notebook (or ``path``); ``only`` limits it to some task ids."""
    path = Path(path or module.exercises)
    tasks = [t for t in module.tasks if only is None or t.id in only]
    started = time.monotonic()
    notes: list[str] = []

    def report(outcomes: list[Outcome]) -> Report:
        return Report(module.id, module.title, str(path), outcomes, notes, time.monotonic() - started)

    def same_for_all(status: str, message: str) -> Report:
        return report([Outcome(t.id, t.title, status, message, t.points, 0) for t in tasks])

    try:
        cells = read_cells(path)
    except ValueError as exc:
        return same_for_all("error", str(exc))

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
                return outcome("error", f"the kernel died while running {cell} (os._exit? a crash? out of memory?).")
            return outcome("error", f"{cell} failed: {run.error}")
    run = kernel.run(f"await __import__('asynclab.checking', fromlist=['grade']).grade({t.id!r})", task_timeout(t) + 20)
    if run.status in ("timeout", "dead"):
        kernel.restart()
        rerun()
        if run.status == "timeout":
            return outcome("timed out", f"{t.function}() did not finish within {task_timeout(t):g} s and could not be stopped: does it block in a loop that never awaits (time.sleep, a busy loop)?")
        return outcome("error", f"the kernel died while {t.function}() was running (os._exit? a crash? out of memory?).")
    if run.results:
        return Outcome(**run.results[-1])
    return outcome("error", f"the check could not run: {run.error or 'no result'}")


# --------------------------------------------------------------------------- output
def _bar(fraction: float, width: int = 24) -> str:
    done = round(fraction * width)
    return "[" + "#" * done + "." * (width - done) + "]"


def scoreboard(reports: list[Report], *, remember_hints: bool = True) -> str:
    from .checking import ICONS

    lines = ["", "Async Python Patterns: scoreboard", ""]
    earned = points = passed = total = 0
    for r in reports:
        lines.append(f"Module {r.module}  {r.title}  {r.earned}/{r.points} points  ({r.seconds:.1f} s)")
        for note in r.notes:
            lines.append(f"  note: {note}")
        for o in r.outcomes:
            lines.append(f"  {ICONS.get(o.status, '?')} {o.task:<5} {o.title}")
            lines.append(f"        {o.status}, {o.earned}/{o.points} points: {o.message}")
            for note in o.notes:
                lines.append(f"        note: {note}")
            if o.status in ("failed", "error", "timed out"):
                n, k, text = next_hint(o.task)
                if remember_hints:
                    _mark_seen(o.task, n)
                lines.append(f"        hint {n}/{k}: {text}")
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Grade the exercise notebooks and print a scoreboard.")
    parser.add_argument("--module", "-m", action="append", help="module id, e.g. 01 (repeatable)")
    parser.add_argument("--notebook", type=Path, help="grade this file instead (needs one --module)")
    parser.add_argument("--json", type=Path, help="also write a machine-readable report here")
    parser.add_argument("--no-hints", action="store_true", help="do not show or advance hints")
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    try:
        modules = [manifest.module(m) for m in args.module] if args.module else list(manifest.graded_modules())
    except KeyError as exc:
        parser.error(str(exc.args[0]))
    modules = [m for m in modules if m.tasks]
    if args.notebook and len(modules) != 1:
        parser.error("--notebook needs exactly one --module")
    reports = []
    for m in modules:
        print(f"grading module {m.id} ({(args.notebook or m.exercises).name}) in a fresh kernel...", flush=True)
        reports.append(grade_notebook(m, args.notebook))
    print(scoreboard(reports, remember_hints=not args.no_hints))
    if args.json:
        args.json.write_text(json.dumps(to_json(reports), indent=2), encoding="utf-8")
    return 0 if all(o.passed for r in reports for o in r.outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
