"""Grade one notebook: its cells run once in a fresh kernel, then each task's canonical check.

``NotebookRun`` is what the pytest plugin's items drive (``start`` in the notebook's setup,
``grade`` per task item, ``close`` in its teardown); ``grade_notebook`` drives the same
steps for the tools that grade without pytest (watch mode, the soak script, the test suite).

Every learner cell runs with a time limit; inline ``check()`` cells are no-ops while grading.
A cell or check that hangs, or kills the kernel, gets the kernel restarted and the
notebook's other cells re-run, so one hang never hides the other tasks. The notebook file
is only ever read. Points come from the manifest here, outside the kernel, and a notebook
that changes the grader's code in its kernel is graded as tampering (see ``tamper``).
"""

from __future__ import annotations

import dataclasses
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import manifest, paths
from ..checking import Outcome, task_timeout
from ..generate import CHECK_CALL, defines
from . import tamper
from .kernel import CellRun, Kernel, cell_timeout, describe_death
from .notebook import code_cells, first_line, read_notebook, version_notes


def check_grace() -> float:
    """Seconds a check may take beyond its task's time limit before the kernel is restarted
    (ASYNCLAB_CHECK_GRACE; read when used)."""
    return float(os.environ.get("ASYNCLAB_CHECK_GRACE", "20"))


@dataclass
class Report:
    module: str
    title: str
    notebook: str
    outcomes: list[Outcome]
    notes: list[str]
    seconds: float
    problem: str = ""  # set when the notebook could not be read at all
    learner: str = ""
    flags: list[str] = field(default_factory=list)  # for instructors: "tampering", "internals"

    @property
    def earned(self) -> int:
        return sum(o.earned for o in self.outcomes)

    @property
    def points(self) -> int:
        return sum(o.points for o in self.outcomes)


def _cell_failure(source: str, run: CellRun) -> str:
    cell = f"the cell starting `{first_line(source)}`"
    if run.status == "timeout":
        return f"{cell} never finished running (more than {cell_timeout():g} s)"
    if run.status == "dead":
        return f"{describe_death(run.exit_code)} while running {cell}"
    return f"{cell} raised {run.error}"


class NotebookRun:
    """One notebook being graded: its kernel, its cells and how they ran."""

    def __init__(self, module: manifest.Module, path: Path | None = None, *, kernel: Kernel | None = None) -> None:
        self.module = module
        self._shared = kernel  # a kernel lent by the caller (see grade_in_one_kernel); never shut down here
        self.path = Path(path or paths.learner_notebook(module))
        self.cells: list[str] = []
        self.notes: list[str] = []
        self.flags: list[str] = []
        self.problem = ""
        self.broken: dict[int, CellRun] = {}  # cell index -> how it failed
        self.kernel: Kernel | None = None
        self.tampered: list[str] = []  # what the cells changed in the grader's code
        self._baseline: dict[str, str] = {}
        self.started = time.monotonic()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    # ---------------------------------------------------------------- notebook
    def start(self) -> None:
        """Read the notebook and run its cells; a problem is stored, never raised."""
        self.started = time.monotonic()
        try:
            nb = read_notebook(self.path)
        except ValueError as exc:
            self.problem = (
                f"{exc} Restore a fresh copy with `make reset MODULE={self.module.id}` "
                f"(or `python -m asynclab.reset {self.module.id}`); yours is kept in notebooks/backups/."
            )
            return
        self.cells = code_cells(nb)
        self.notes += version_notes(nb, self.module)
        calls = {m for src in self.cells for m in CHECK_CALL.findall(src)}
        for t in self.module.tasks:
            if t.id not in calls:
                self.notes.append(f"the check cell of task {t.id} was edited or deleted: graded with the canonical check.")
        reaching = [first_line(src) for src in self.cells if tamper.internals_used(src)]
        if reaching:
            self.flags.append("internals")
            self.notes.append(
                f"the cell starting `{reaching[0]}` uses the course's internals (only "
                "`from asynclab import check, hint, lab` and the lessons' `workloads` and `web` are meant for notebooks); an instructor may look at it."
            )
        try:
            if self._shared is not None:
                self.kernel = self._shared
                self.kernel.run("get_ipython().reset(new_session=False)", 60)  # the last notebook's names go
            else:
                self.kernel = Kernel(self.path.parent)
            self._fresh_kernel()
        except Exception as exc:  # no kernel at all: every task says so
            self.problem = f"the grader could not start a kernel ({type(exc).__name__}: {exc})."
            self.close()

    def _fingerprint(self) -> tuple[str, dict[str, str] | None]:
        assert self.kernel is not None
        preload = ["asynclab.checking", "asynclab.labservice", *([self.module.checks] if self.module.checks else [])]
        run = self.kernel.run(tamper.snippet(preload), 60)
        return run.status, tamper.fingerprint_of(run.data)

    def _fresh_kernel(self) -> None:
        """Take the fingerprint of the grader's code, then run the learner's cells."""
        status, baseline = self._fingerprint()
        if status != "ok" or baseline is None:
            raise RuntimeError(f"the grader's fingerprint could not be taken ({status})")
        self._baseline = baseline
        self._run_cells()
        self.tampered = self._changes()

    def _changes(self) -> list[str]:
        status, now = self._fingerprint()
        if status in ("dead", "timeout"):
            return []  # the kernel itself failed: reported by the task that caused it
        return tamper.changes(self._baseline, now)

    def _restart(self) -> None:
        assert self.kernel is not None
        self.kernel.restart()
        self._fresh_kernel()

    def _run_cells(self) -> None:
        assert self.kernel is not None
        while True:
            for i, src in enumerate(self.cells):
                if i in self.broken or not src.strip():
                    continue
                run = self.kernel.run(src, cell_timeout())
                if run.status in ("timeout", "dead"):
                    self.broken[i] = run
                    self.kernel.restart()
                    status, baseline = self._fingerprint()
                    self._baseline = baseline or self._baseline
                    break  # start over in the fresh kernel, skipping what hung
                if run.status == "error":
                    self.broken[i] = run
            else:
                return

    def close(self) -> None:
        if self.kernel is not None and self.kernel is not self._shared:
            self.kernel.shutdown()
        self.kernel = None

    # ---------------------------------------------------------------- tasks
    def grade(self, t: manifest.Task) -> Outcome:
        """The outcome of task ``t``; never raises."""
        if self.problem:
            return self._outcome(t, "error", self.problem)
        if self.kernel is None:
            return self._outcome(t, "error", "the grader's kernel is gone (it was closed before this task).")
        try:
            result = self._grade(t)
        except Exception as exc:  # the grader's own failure: say so instead of crashing
            result = self._outcome(t, "error", f"the grader failed on this task ({type(exc).__name__}: {exc}).")
        # Points come from the manifest, here: the kernel only says what happened.
        earned = t.points if result.status == "passed" else 0
        return dataclasses.replace(result, task=t.id, title=t.title, points=t.points, earned=earned)

    def _outcome(self, t: manifest.Task, status: str, message: str) -> Outcome:
        return Outcome(t.id, t.title, status, message, t.points, 0)

    def _tampering(self, t: manifest.Task, changed: list[str]) -> Outcome:
        if "tampering" not in self.flags:
            self.flags.append("tampering")
        return self._outcome(t, "error", tamper.tamper_message(changed))

    def _grade(self, t: manifest.Task) -> Outcome:
        assert self.kernel is not None
        if self.tampered:
            return self._tampering(t, self.tampered)
        where = [i for i, src in enumerate(self.cells) if defines(src, t.function)]
        for i in where:
            if i in self.broken:
                run = self.broken[i]
                cell = f"the cell that defines {t.function}"
                if run.status == "timeout":
                    return self._outcome(t, "timed out", f"{cell} never finished running (more than {cell_timeout():g} s): a loop that never ends at the top level of the cell?")
                if run.status == "dead":
                    return self._outcome(t, "error", f"{describe_death(run.exit_code)} while running {cell}.")
                # A name the setup cell should have given (it hung, or failed): blame that cell.
                return self._blame_earlier_cell(self._outcome(t, "error", f"{cell} failed: {run.error}"), t, where)
        run = self.kernel.run(
            f"await __import__('asynclab.checking', fromlist=['grade']).grade({t.id!r})",
            task_timeout(t) + check_grace(),
        )
        if run.status in ("timeout", "dead"):
            self._restart()
            if run.status == "timeout":
                result = self._outcome(
                    t, "timed out",
                    f"{t.function}() did not finish within {task_timeout(t):g} s and could not be stopped, so "
                    "the grader restarted the kernel. Something in it never gives control back: a loop "
                    "without `await`, time.sleep(), or one huge computation?",
                )
            else:
                result = self._outcome(t, "error", f"{describe_death(run.exit_code)} while {t.function}() was running.")
        else:
            changed = self._changes()
            if changed:  # the learner's function changed the grader while it ran
                outcome = self._tampering(t, changed)
                self._restart()
                return outcome
            if run.results:
                result = Outcome(**run.results[-1])
            else:
                result = self._outcome(t, "error", f"the check could not run: {run.error or 'no result'}")
        return self._blame_earlier_cell(result, t, where)

    def _blame_earlier_cell(self, result: Outcome, t: manifest.Task, where: list[int]) -> Outcome:
        """A task that did not pass while an earlier cell failed (say, the setup cell) points
        at that cell: it is the likely cause, and the first thing to fix."""
        if result.status in ("passed", "not attempted"):
            return result
        before = min(where) if where else len(self.cells)
        earlier = sorted(i for i in self.broken if i < before)
        if not earlier:
            return result
        cause = _cell_failure(self.cells[earlier[0]], self.broken[earlier[0]])
        if result.status == "error" and re.search(r"\b(NameError|ImportError|ModuleNotFoundError)\b", result.message):
            # Something the earlier cell should have defined or imported is missing: lead with it.
            message = (
                f"an earlier cell failed, so {t.function}() could not work: {cause}. Fix that cell "
                f"first, then run all cells again. (The check saw: {result.message})"
            )
            return dataclasses.replace(result, message=message)
        return dataclasses.replace(result, notes=[*result.notes, f"an earlier cell failed: {cause}."])

    def report(self, outcomes: list[Outcome], learner: str = "") -> Report:
        return Report(
            self.module.id, self.module.title, str(self.path), outcomes, list(self.notes),
            self.seconds, self.problem, learner, list(self.flags),
        )


def grade_notebook(
    module: manifest.Module, path: Path | None = None, *, only: tuple[str, ...] | None = None
) -> Report:
    """Grade one module's notebook (or ``path``); ``only`` limits it to some task ids (the
    command line's ``-k`` does that for ``python -m asynclab.grade``)."""
    run = NotebookRun(module, path)
    try:
        run.start()
        outcomes = [run.grade(t) for t in module.tasks if only is None or t.id in only]
    finally:
        run.close()
    return run.report(outcomes)


def grade_in_one_kernel(
    module: manifest.Module, jobs: list[tuple[Path, tuple[str, ...] | None]]
) -> list[Report]:
    """Grade several notebooks of one module one after another in one kernel, each after the
    last one's names were cleared: a kernel's start and first imports cost seconds, the
    cells and checks of a notebook far less. Only for notebooks that cannot disturb the
    kernel for the next one (what a learner's notebook may do, the test suite's wrong
    answers that only give wrong results may not): a module imported, a thread or process
    left running would carry over. The grader gives each learner's notebook a kernel of its
    own (``grade_notebook``)."""
    kernel = Kernel(jobs[0][0].parent) if jobs else None
    reports = []
    try:
        for path, only in jobs:
            run = NotebookRun(module, path, kernel=kernel)
            try:
                run.start()
                outcomes = [run.grade(t) for t in module.tasks if only is None or t.id in only]
            finally:
                run.close()
            reports.append(run.report(outcomes))
    finally:
        if kernel is not None:
            kernel.shutdown()
    return reports
