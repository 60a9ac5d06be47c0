"""The course's pytest plugin: learner exercise notebooks as pytest items, one per task.

Loaded explicitly (``-p asynclab.grading.plugin``), never as an entry point; ``python -m
asynclab.grade`` builds the command line (see ``asynclab.grade``). What it adds to pytest:

- Collection: an exercise notebook (``*NN_slug_exercises*.ipynb``, or any file named in the
  job list that ``--asynclab-jobs`` points at) is an ``ExerciseNotebook``. Its items come
  from the manifest, one ``TaskItem`` per task, without reading the file: every xdist
  worker collects the same items, and a damaged file is a graded error, never a
  collection error.
- The notebook owns the kernel, as in nbval: ``setup`` runs the cells once
  (``runner.NotebookRun.start``), ``teardown`` shuts the kernel down. ``--dist loadfile``
  keeps a notebook on one worker.
- Statuses: passed -> passed; not attempted -> skipped; failed and timed out -> failed;
  error -> an error in the item's setup. The report is the plain-words message only, no
  traceback. Status and points are ``user_properties`` (in --junitxml); the whole outcome
  rides on the setup report as an attribute, which xdist carries to the controller.
- In the controller only: the scoreboard (or the class summary) as the terminal summary,
  the JSON report and the CSV, and the exit status: 0 only when every task passed
  (class grading: 0 once graded).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from .. import manifest
from ..checking import Outcome
from .runner import NotebookRun, Report

PROPERTY = "asynclab"
LETTERS = {"passed": ".", "failed": "F", "not attempted": "s", "error": "E", "timed out": "T"}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("asynclab", "Async Python Patterns grading")
    group.addoption("--asynclab-jobs", help="JSON list of {path, module, learner} to grade")
    group.addoption("--asynclab-json", help="write the JSON report here")
    group.addoption("--asynclab-csv", help="write the class CSV here")
    group.addoption("--asynclab-class", action="store_true", help="class grading: a line per notebook, exit 0 once graded")
    group.addoption("--asynclab-no-hints", action="store_true", help="no hints on the scoreboard")
    group.addoption("--asynclab-plain", action="store_true", help="no pytest summary line (the scoreboard says it all)")


class _Jobs:
    def __init__(self, config: pytest.Config) -> None:
        self.by_path: dict[Path, dict[str, Any]] = {}
        self.expected: list[tuple[str, str]] = []
        option = config.getoption("asynclab_jobs")
        if option:
            data = json.loads(Path(option).read_text(encoding="utf-8"))
            for i, job in enumerate(data["jobs"]):
                self.by_path[Path(job.get("collect", job["path"])).resolve()] = {"index": i, **job}
            self.expected = [tuple(e) for e in data.get("missing", [])]

    def find(self, path: Path) -> dict[str, Any] | None:
        job = self.by_path.get(path.resolve())
        if job is not None:
            return job
        if self.by_path:
            return None  # a job list names exactly what to grade
        for m in manifest.graded_modules():
            if re.search(rf"{re.escape(m.exercises.stem)}.*\.ipynb$", path.name):
                return {"path": str(path), "module": m.id, "learner": "", "index": 0}
        return None


@pytest.hookimpl(trylast=True)  # after the terminal reporter is registered
def pytest_configure(config: pytest.Config) -> None:
    config.stash[_JOBS] = _Jobs(config)
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist)
        config.pluginmanager.register(_Controller(config), "asynclab-controller")
    if config.getoption("asynclab_plain"):
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.summary_stats = lambda: None  # the scoreboard's last line is the summary


_JOBS = pytest.StashKey[_Jobs]()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> ExerciseNotebook | None:
    if file_path.suffix != ".ipynb":
        return None
    job = parent.config.stash[_JOBS].find(file_path)
    if job is None:
        return None
    return ExerciseNotebook.from_parent(parent, path=file_path, job=job)


class ExerciseNotebook(pytest.File):
    """A learner's exercise notebook; it owns the kernel its tasks are graded in."""

    def __init__(self, *, job: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.job = job
        self.module = manifest.module(job["module"])
        self.run: NotebookRun | None = None

    def collect(self):
        for t in self.module.tasks:
            yield TaskItem.from_parent(self, name=f"{t.id} {t.function}", task=t)

    def setup(self) -> None:
        self.run = NotebookRun(self.module, Path(self.job["path"]))
        self.run.start()

    def teardown(self) -> None:
        if self.run is not None:
            self.run.close()


class TaskOutcome(Exception):
    """A task that did not pass; its message is all the report shows."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.message)
        self.outcome = outcome


class TaskItem(pytest.Item):
    """One task's canonical check, run in its notebook's kernel."""

    def __init__(self, *, task: manifest.Task, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.task = task
        self.outcome: Outcome | None = None
        self.payload: str | None = None

    def setup(self) -> None:
        notebook = self.parent
        assert isinstance(notebook, ExerciseNotebook) and notebook.run is not None
        run = notebook.run
        self.outcome = run.grade(self.task)
        job = notebook.job
        payload = {
            "outcome": self.outcome.__dict__,
            "notebook": {
                "index": job.get("index", 0), "learner": job.get("learner", ""), "path": str(run.path),
                "module": self.module_id, "notes": run.notes, "problem": run.problem,
                "flags": run.flags, "seconds": run.seconds,
            },
        }
        self.user_properties += [("status", self.outcome.status), ("points", f"{self.outcome.earned}/{self.outcome.points}")]
        self.payload = json.dumps(payload)  # set on the setup report (pytest_runtest_makereport)
        if self.outcome.status == "error":
            raise TaskOutcome(self.outcome)

    @property
    def module_id(self) -> str:
        return self.task.module

    def runtest(self) -> None:
        assert self.outcome is not None
        status = self.outcome.status
        if status == "passed":
            return
        if status == "not attempted":
            raise pytest.skip.Exception(self.outcome.message, _use_item_location=True)
        raise TaskOutcome(self.outcome)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, TaskOutcome):
            o = excinfo.value.outcome
            return "\n".join([f"{o.status}: {o.message}", *(f"note: {n}" for n in o.notes)])
        return super().repr_failure(excinfo)

    def _repr_failure_py(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, TaskOutcome):  # an error raised in setup: same plain message
            return self.repr_failure(excinfo)
        return super()._repr_failure_py(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"task {self.task.id} {self.task.title}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    if isinstance(item, TaskItem) and call.when == "setup" and item.payload is not None:
        # The whole outcome travels to the controller on the report: xdist carries a
        # report's extra attributes, and neither --junitxml nor the terminal prints them.
        setattr(report, PROPERTY, item.payload)
    return report


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config):
    status = _status_of(report)
    if status is None:
        return None
    if report.when == "setup" and status != "error":
        return "", "", ""  # the call phase reports it
    if report.when == "teardown":
        return "", "", ""
    category = {"passed": "passed", "not attempted": "skipped", "error": "error"}.get(status, "failed")
    return category, LETTERS[status], status.upper()


def _status_of(report: pytest.TestReport) -> str | None:
    for name, value in report.user_properties:
        if name == "status":
            return value
    return None


class _Controller:
    """Collects the outcomes as reports arrive (from xdist workers too) and, in the
    controller only, prints the scoreboard and writes the reports."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.results: dict[tuple[str, str], dict[str, Any]] = {}  # (notebook, task) -> payload

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        dist = self.config.pluginmanager.get_plugin("terminaldistreporter")
        if dist is not None and self.config.getoption("asynclab_plain"):
            # xdist's "bringing up nodes..." status lines; a worker going down is still shown
            dist.ensure_show_status = lambda: None
            dist.rewrite = lambda *args, **kwargs: None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        content = getattr(report, PROPERTY, None)
        if content:
            payload = json.loads(content)
            self.results.setdefault((payload["notebook"]["path"], payload["outcome"]["task"]), payload)

    def reports(self) -> list[Report]:
        """The graded notebooks, rebuilt from the items' payloads (in job order)."""
        notebooks: dict[str, Report] = {}
        order: dict[str, tuple[int, str]] = {}
        for payload in self.results.values():
            nb = payload["notebook"]
            key = nb["path"]
            report = notebooks.get(key)
            if report is None:
                m = manifest.module(nb["module"])
                report = notebooks[key] = Report(m.id, m.title, nb["path"], [], [], 0.0, learner=nb["learner"])
                order[key] = (nb["index"], key)
            report.outcomes.append(Outcome(**payload["outcome"]))
            report.notes = list(dict.fromkeys([*report.notes, *nb["notes"]]))
            report.flags = list(dict.fromkeys([*report.flags, *nb["flags"]]))
            report.problem = nb["problem"] or report.problem
            report.seconds = max(report.seconds, nb["seconds"])
        reports = [notebooks[k] for k in sorted(notebooks, key=order.__getitem__)]
        task_order = {t.id: i for m in manifest.load() for i, t in enumerate(m.tasks)}
        for r in reports:
            r.outcomes.sort(key=lambda o: task_order.get(o.task, 0))
        return reports

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.results:
            return
        from .reports import scoreboard, summary_line

        config = self.config
        reports = self.reports()
        if config.getoption("asynclab_class"):
            terminalreporter.write_line("")
            for r in reports:
                terminalreporter.write_line(summary_line(r))
            csv_path = config.getoption("asynclab_csv")
            if csv_path:
                terminalreporter.write_line(f"wrote {csv_path}")
            return
        terminalreporter.write_line(scoreboard(reports, show_hints=not config.getoption("asynclab_no_hints")))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if not self.results:
            return
        from .reports import to_json, write_csv

        config = self.config
        reports = self.reports()
        json_path = config.getoption("asynclab_json")
        if json_path:
            Path(json_path).write_text(json.dumps(to_json(reports), indent=2), encoding="utf-8")
        csv_path = config.getoption("asynclab_csv")
        if csv_path:
            write_csv(Path(csv_path), reports, config.stash[_JOBS].expected)
        if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            if config.getoption("asynclab_class"):
                session.exitstatus = pytest.ExitCode.OK
            elif not all(o.passed for r in reports for o in r.outcomes):
                session.exitstatus = pytest.ExitCode.TESTS_FAILED
