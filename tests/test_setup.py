"""The learner's set-up and everyday commands, as the Makefile runs them.

Most tests run the real Makefile in a scratch copy of the project whose `.venv` is fake:
its `python` and `jupyter` record how they were called and with which environment, so the
make targets' behaviour (options, environment, exit codes, messages) is checked without
installing anything or starting a server. `test_real_lab_*` start a real JupyterLab the
way `make lab` does.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from asynclab import manifest, paths

ROOT = manifest.ROOT
MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None or os.name == "nt", reason="needs make and a POSIX shell")

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
WATCHED_ENV = ("PATH", "VIRTUAL_ENV", "MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES", "LAB_ARGS", "MODULE")

FAKE_PYTHON = """\
#!{real}
# A stand-in for the venv's python: records the call; asynclab.paths runs for real.
import json, os, sys
args = sys.argv[1:]
if os.environ.get("FAKE_LOG"):  # git runs the notebook filter without it
    with open(os.environ["FAKE_LOG"], "a") as log:
        env = {{k: os.environ.get(k) for k in {watched!r}}}
        log.write(json.dumps({{"prog": "python", "args": args, "env": env}}) + "\\n")
if args[:1] == ["-c"]:
    version = os.environ.get("FAKE_VERSION", "3.12")
    if version == "broken":
        sys.exit(127)
    print(version)
    sys.exit(tuple(map(int, version.split("."))) < (3, 11))
if args[:2] == ["-m", "asynclab.paths"]:
    os.execv({real!r}, [{real!r}, *args])
if args[:2] == ["-m", "asynclab.grade"]:
    print("Course progress [....] 0/10 points")
    sys.exit(int(os.environ.get("FAKE_GRADE_EXIT", "0")))
"""

FAKE_JUPYTER = """\
#!{real}
import json, os, sys
with open(os.environ["FAKE_LOG"], "a") as log:
    env = {{k: os.environ.get(k) for k in {watched!r}}}
    log.write(json.dumps({{"prog": "jupyter", "args": sys.argv[1:], "env": env}}) + "\\n")
"""


@dataclass
class Project:
    """A scratch copy of the project's Makefile with a fake (or no) venv."""

    dir: Path
    log: Path

    @property
    def venv(self) -> Path:
        return self.dir / ".venv"

    def fake_venv(self, *, installed: bool = True) -> None:
        bin_dir = self.venv / "bin"
        bin_dir.mkdir(parents=True, exist_ok=True)
        for name, text in (("python", FAKE_PYTHON), ("jupyter", FAKE_JUPYTER)):
            path = bin_dir / name
            path.write_text(text.format(real=sys.executable, watched=WATCHED_ENV), encoding="utf-8")
            path.chmod(0o755)
        if installed:
            (self.venv / ".installed").touch()
            earlier = time.time() - 60  # the stamp is newer than pyproject.toml
            os.utime(self.dir / "pyproject.toml", (earlier, earlier))

    def make(self, *args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        full = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
        full.update(FAKE_LOG=str(self.log), JUPYTER_RUNTIME_DIR=str(self.dir / "runtime"))
        full.update(env or {})
        return subprocess.run(
            [MAKE, "--no-print-directory", "-C", str(self.dir), *args],
            capture_output=True, text=True, env=full, timeout=timeout,
        )  # fmt: skip

    def calls(self, prog: str | None = None) -> list[dict]:
        if not self.log.exists():
            return []
        entries = [json.loads(line) for line in self.log.read_text().splitlines()]
        return [e for e in entries if prog is None or e["prog"] == prog]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    for name in ("Makefile", "pyproject.toml", ".gitattributes"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / paths.WELCOME, tmp_path / "notebooks")
    return Project(tmp_path, tmp_path / "calls.jsonl")


# --------------------------------------------------------------------------- make lab
def test_lab_args_add_to_the_course_options(project: Project) -> None:
    project.fake_venv()
    result = project.make("lab", "LAB_ARGS=--no-browser --ServerApp.port=9999")
    assert result.returncode == 0, result.stdout + result.stderr
    [call] = project.calls("jupyter")
    args = call["args"]
    assert args[0] == "lab"
    assert "--no-browser" in args and "--ServerApp.port=9999" in args
    assert "--ServerApp.ip=127.0.0.1" in args
    assert f"--ServerApp.root_dir={project.dir / 'notebooks'}" in args
    assert "--LabApp.default_url=/lab/tree/00_welcome.ipynb" in args
    assert ("--allow-root" in args) == AS_ROOT


def test_lab_terminals_get_the_course_python_and_no_make_settings(project: Project) -> None:
    project.fake_venv()
    # As if typed in a terminal of a JupyterLab started by an older `make lab`.
    result = project.make("lab", "LAB_ARGS=--no-browser", "MODULE=01", env={"MAKELEVEL": "1", "MAKEFLAGS": "-- X=1"})
    assert result.returncode == 0, result.stdout + result.stderr
    [call] = project.calls("jupyter")
    env = call["env"]
    assert env["PATH"].split(os.pathsep)[0] == str(project.venv / "bin")
    assert env["VIRTUAL_ENV"] == str(project.venv)
    for name in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES", "LAB_ARGS", "MODULE"):
        assert env[name] is None, f"{name}={env[name]!r} reaches JupyterLab's terminals"
    # The terminals' shell reads the learner's start-up files, then puts the venv first.
    shell = next(a for a in call["args"] if a.startswith("--ServerApp.terminado_settings="))
    assert "shell_command=" in shell


@pytest.mark.parametrize("shell", ["/bin/bash", "/usr/bin/zsh", "/bin/sh"])
def test_terminal_shell_puts_the_venv_first_after_the_users_files(tmp_path: Path, shell: str) -> None:
    venv = tmp_path / "venv"
    command = paths.terminal_shell(venv, shell)
    name = Path(shell).name
    if name == "sh":
        assert command == shell
        return
    files = list((venv / "etc" / "asynclab-terminal").rglob("*rc"))
    [rc] = files
    text = rc.read_text()
    assert text.index(f'$HOME/.{name}rc') < text.index('export PATH="$VIRTUAL_ENV/bin:$PATH"')
    assert str(venv.resolve()) in text
    if name == "bash":
        assert command == f"{shell} --rcfile {rc}"
    else:
        assert command == f"env ZDOTDIR={rc.parent} {shell}"


def test_second_lab_over_the_same_folder_says_where_the_first_runs(project: Project, tmp_path: Path) -> None:
    """A server's runtime file in Jupyter's runtime folder, and the server answering."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    class Status(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200 if self.path == "/api/status" else 404)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Status)
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        project.fake_venv()
        runtime = project.dir / "runtime"
        runtime.mkdir()
        port = server.server_address[1]
        info = {"url": f"http://127.0.0.1:{port}/", "port": port, "token": "abc", "pid": os.getpid(),
                "root_dir": str(project.dir / "notebooks"), "base_url": "/", "secure": False}  # fmt: skip
        (runtime / f"jpserver-{os.getpid()}.json").write_text(json.dumps(info))
        result = project.make("lab")
        assert result.returncode == 0, result.stderr
        assert f"http://127.0.0.1:{port}/lab/tree/00_welcome.ipynb?token=abc" in result.stdout
        assert "already running" in result.stdout
        assert project.calls("jupyter") == []  # no second server

        # A server for another folder does not count.
        info["root_dir"] = str(tmp_path)
        (runtime / f"jpserver-{os.getpid()}.json").write_text(json.dumps(info))
        result = project.make("lab")
        assert result.returncode == 0 and "already running" not in result.stdout
        assert len(project.calls("jupyter")) == 1
    finally:
        server.shutdown()


# --------------------------------------------------------------------------- set-up
def test_existing_venv_with_an_old_python_is_refused(project: Project) -> None:
    project.fake_venv(installed=False)
    result = project.make("lab", env={"FAKE_VERSION": "3.10"})
    assert result.returncode != 0
    out = result.stdout
    assert ".venv was made with Python 3.10; this course needs Python 3.11 or newer." in out
    assert "rm -rf .venv && make lab PYTHON=python3.12" in out
    assert not any(c["args"][:3] == ["-m", "pip", "install"] for c in project.calls("python"))


def test_existing_venv_that_cannot_run(project: Project) -> None:
    project.fake_venv(installed=False)
    result = project.make("install", env={"FAKE_VERSION": "broken"})
    assert result.returncode != 0
    assert ".venv exists but its Python cannot be run" in result.stdout
    assert "rm -rf .venv && make install" in result.stdout


def test_missing_interpreter_gets_one_clean_line(project: Project) -> None:
    result = project.make("lab", "PYTHON=python3.99-not-here")
    assert result.returncode != 0
    lines = [line for line in (result.stdout + result.stderr).splitlines() if not line.startswith("make")]
    assert lines == [
        "There is no Python called 'python3.99-not-here' here (or it cannot be run). This course "
        "needs Python 3.11 or newer: install one, then e.g. make lab PYTHON=python3.12"
    ]
    assert not project.venv.exists()


def test_old_interpreter_is_refused_with_its_version(project: Project, tmp_path: Path) -> None:
    old = tmp_path / "python3.10"
    old.write_text("#!/bin/sh\necho 3.10\nexit 1\n")
    old.chmod(0o755)
    result = project.make("lab", f"PYTHON={old}")
    assert result.returncode != 0
    assert f"This course needs Python 3.11 or newer; '{old}' is Python 3.10." in result.stdout
    assert not project.venv.exists()


def test_first_install_says_what_is_happening_and_shows_pip(project: Project) -> None:
    project.fake_venv(installed=False)
    result = project.make("install")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the first time takes about 2 minutes" in result.stdout
    [pip] = [c["args"] for c in project.calls("python") if c["args"][:3] == ["-m", "pip", "install"]]
    assert "--quiet" not in pip and "-q" not in pip, "pip's progress must show"
    assert pip[-2:] == ["-e", ".[dev]"]
    assert (project.venv / ".installed").exists()


def test_fresh_clone_creates_the_venv_with_the_chosen_python(project: Project, tmp_path: Path) -> None:
    """No .venv yet: PYTHON's version is checked, then it creates .venv, then pip installs."""
    creator = tmp_path / "python3.12"
    creator.write_text(textwrap.dedent(f"""\
        #!{sys.executable}
        import os, shutil, sys
        if sys.argv[1:2] == ["-c"]:
            print("3.12")
        elif sys.argv[1:3] == ["-m", "venv"]:
            bin_dir = os.path.join(sys.argv[3], "bin")
            os.makedirs(bin_dir)
            shutil.copy({str(tmp_path / "fake-python")!r}, os.path.join(bin_dir, "python"))
    """))
    creator.chmod(0o755)
    project.fake_venv(installed=False)  # makes the fake python, then moves it out of the way
    shutil.move(project.venv / "bin" / "python", tmp_path / "fake-python")
    shutil.rmtree(project.venv)
    result = project.make("install", f"PYTHON={creator}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Creating .venv with Python 3.12 ({creator})..." in result.stdout
    assert any(c["args"][:3] == ["-m", "pip", "install"] for c in project.calls("python"))
    assert (project.venv / ".installed").exists()


def test_readme_no_make_install_line_is_quoted_for_zsh() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install -e '.[dev]'" in readme
    assert "pip install -e .[dev]" not in readme


# --------------------------------------------------------------------------- everyday commands
@pytest.mark.parametrize(
    ("grade_exit", "strict", "expected"),
    [(1, "", True), (1, "STRICT=1", False), (0, "", True), (0, "STRICT=1", True), (2, "", False), (1, "STRICT=0", True)],
)
def test_check_ends_on_the_scoreboard_unless_strict(project: Project, grade_exit: int, strict: str, expected: bool) -> None:
    """A learner's incomplete scoreboard is not an error; STRICT=1 (CI, instructors) keeps
    the grader's exit 1; a grader that could not run (exit 2) fails in both modes."""
    project.fake_venv()
    result = project.make("check", "MODULE=01", *([strict] if strict else []), env={"FAKE_GRADE_EXIT": str(grade_exit)})
    assert (result.returncode == 0) == expected, result.stderr
    if expected:
        assert result.stdout.rstrip().endswith("0/10 points") and result.stderr == ""
    [call] = project.calls("python")
    assert call["args"] == ["-m", "asynclab.grade", "--module", "01"]


@pytest.mark.parametrize("variable", ["MODULE", "EX"])
def test_reset_takes_module_like_every_target(project: Project, variable: str) -> None:
    project.fake_venv()
    result = project.make("reset", f"{variable}=02")
    assert result.returncode == 0, result.stderr
    [call] = project.calls("python")
    assert call["args"] == ["-m", "asynclab.reset", "02"]


# --------------------------------------------------------------------------- the learner's files and git
def test_clean_filter_keeps_every_committed_notebook_as_it_is() -> None:
    tracked = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    names = tracked.stdout.split()
    assert names
    for name in names:
        text = (ROOT / name).read_text(encoding="utf-8")
        assert paths.clean_notebook(text) == text, f"{name} is not in the form the filter writes"


def _as_jupyterlab_saves_it(text: str) -> str:
    """The notebook after Run All and a save in JupyterLab, in the course's kernel."""
    nb = json.loads(text)
    for n, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
        cell["execution_count"] = n + 1
        cell["outputs"] = [{"name": "stdout", "output_type": "stream", "text": ["ran\n"]}]
        cell["metadata"]["scrolled"] = True
        cell["metadata"]["execution"] = {"iopub.status.idle": "2026-12-02T10:00:00Z"}
    nb["metadata"]["kernelspec"]["display_name"] = "Python 3 (Async Python Patterns)"
    nb["metadata"]["language_info"] = {
        "codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
        "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3", "version": "3.13.1",
    }  # fmt: skip
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=env, check=True)
    return done.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_running_a_lesson_changes_nothing_git_cares_about_and_update_pulls(project: Project, tmp_path: Path) -> None:
    """The course as a learner's clone: run a lesson, answer an exercise, then `make update`
    brings a fix of that lesson; the answers stay."""
    exercise = project.dir / "notebooks" / "01_coroutines_and_tasks_exercises.ipynb"
    shutil.copy(ROOT / "notebooks" / exercise.name, exercise)
    upstream = project.dir
    _git(upstream, "init", "-q")
    _git(upstream, "add", "Makefile", "pyproject.toml", ".gitattributes", "notebooks")
    _git(upstream, "commit", "-q", "-m", "course")
    clone = Project(tmp_path / "clone", tmp_path / "clone-calls.jsonl")
    _git(tmp_path, "clone", "-q", str(upstream), str(clone.dir))
    clone.fake_venv(installed=False)
    assert clone.make("install").returncode == 0  # sets the filter up
    assert "clean-notebook" in _git(clone.dir, "config", "filter.notebook-outputs.clean")

    lesson = clone.dir / "notebooks" / paths.WELCOME
    lesson.write_text(_as_jupyterlab_saves_it(lesson.read_text(encoding="utf-8")), encoding="utf-8")
    assert '"ran\\n"' in lesson.read_text(encoding="utf-8")  # the file keeps its outputs
    assert _git(clone.dir, "diff") == ""

    # The learner's own work is a change.
    mine = clone.dir / "notebooks" / exercise.name
    nb = json.loads(mine.read_text(encoding="utf-8"))
    stub = next(c for c in nb["cells"] if c["cell_type"] == "code" and "NotImplementedError" in "".join(c["source"]))
    stub["source"] = ["# my answer\n"]
    mine.write_text(_as_jupyterlab_saves_it(json.dumps(nb)), encoding="utf-8")
    diff = _git(clone.dir, "diff")
    assert "my answer" in diff and "ran" not in diff and "3.13.1" not in diff

    # The course fixes the lesson; the learner updates.
    text = (upstream / "notebooks" / paths.WELCOME).read_text(encoding="utf-8")
    (upstream / "notebooks" / paths.WELCOME).write_text(text.replace("Welcome to", "Welcome (fixed) to"), encoding="utf-8")
    _git(upstream, "commit", "-q", "-am", "fix the welcome")
    result = clone.make("update")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Welcome (fixed) to" in lesson.read_text(encoding="utf-8")
    assert "# my answer" in mine.read_text(encoding="utf-8")
    status = _git(clone.dir, "status", "--porcelain", "--untracked-files=no")
    assert status.strip() == f"M notebooks/{exercise.name}"


def test_gitattributes_filters_every_notebook() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    for path in ["notebooks/00_welcome.ipynb", "notebooks/01_coroutines_and_tasks_exercises.ipynb", "solutions/x.ipynb"]:
        out = subprocess.run(["git", "check-attr", "filter", path], cwd=ROOT, capture_output=True, text=True).stdout
        assert out.strip().endswith("filter: notebook-outputs"), out


def test_reset_is_described_as_the_whole_notebook_with_a_backup() -> None:
    from asynclab.generate import BANNER

    banner = BANNER.format(module="01")
    assert "make reset MODULE=01" in banner and "whole notebook" in banner
    assert "notebooks/backups/" in banner
    welcome = json.loads((ROOT / "notebooks" / paths.WELCOME).read_text(encoding="utf-8"))
    text = "".join("".join(c["source"]) for c in welcome["cells"])
    assert "make reset MODULE=01" in text and "notebooks/backups/" in text
    assert "git checkout --" not in text and "throws away" not in text


def test_instructor_schedule_matches_the_module_minutes() -> None:
    """Every module in the 3-hour schedule gets the minutes course.toml gives it."""
    import re

    text = (ROOT / "INSTRUCTORS.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d):(\d\d)–(\d):(\d\d) \| (\d\d) (lesson|exercises)", text, re.M)
    assert rows, "no schedule rows found"
    for h1, m1, h2, m2, module_id, part in rows:
        minutes = (int(h2) * 60 + int(m2)) - (int(h1) * 60 + int(m1))
        module = manifest.module(module_id)
        want = module.teaching_minutes if part == "lesson" else module.exercise_minutes
        assert minutes == want, f"{module_id} {part}: {minutes} min in the schedule, {want} in course.toml"


# --------------------------------------------------------------------------- a real server
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def real_lab(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path, dict[str, str]]]:
    """`make lab` in the real project, serving a copy of the notebooks, isolated settings."""
    served = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", served, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "backups"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS", "ASYNCLAB_"))}
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
        (tmp_path / name).mkdir()
        env[name] = str(tmp_path / name)
    env["SHELL"] = shutil.which("bash") or "/bin/sh"
    port = _free_port()
    log = tmp_path / "lab.log"
    args = f"--no-browser --ServerApp.port={port} --ServerApp.port_retries=0 --LabApp.news_url=None"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [MAKE, "--no-print-directory", "-C", str(ROOT), "lab", f"LAB_DIR={served}", f"LAB_ARGS={args}"],
            stdout=out, stderr=subprocess.STDOUT, env=env, text=True, start_new_session=True,
        )  # fmt: skip
    try:
        yield proc, log, env
    finally:
        import signal

        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)


def _printed_url(proc: subprocess.Popen[str], log: Path, timeout: float = 120) -> str:
    import re

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        found = re.findall(r"http://127\.0\.0\.1:\d+/\S*\?token=\w+", text)
        if found:
            return found[-1]
        assert proc.poll() is None, f"make lab ended:\n{text}"
        time.sleep(0.25)
    pytest.fail(f"make lab printed no URL:\n{log.read_text(errors='replace')}")


@pytest.mark.integration
@pytest.mark.skipif(not (ROOT / ".venv" / ".installed").exists(), reason="needs the course's .venv (make install)")
def test_real_lab_lands_on_welcome_and_its_terminal_has_the_course_python(real_lab) -> None:
    import asyncio

    import aiohttp

    proc, log, env = real_lab
    url = _printed_url(proc, log)
    base, token = url.split("/lab/", 1)[0], url.rsplit("token=", 1)[1]
    assert url == f"{base}/lab/tree/00_welcome.ipynb?token={token}"
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with direct.open(url, timeout=30) as page:
        assert page.status == 200

    async def terminal(command: str) -> str:
        headers = {"Authorization": f"token {token}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            async with session.post(f"{base}/api/terminals", json={"cwd": ""}) as resp:
                name = (await resp.json())["name"]
            ws_url = base.replace("http", "ws", 1) + f"/terminals/websocket/{name}"
            seen = ""
            async with session.ws_connect(ws_url) as ws:
                await ws.send_str(json.dumps(["stdin", command + "\r"]))
                async with asyncio.timeout(60):
                    async for msg in ws:
                        kind, *data = json.loads(msg.data)
                        if kind == "stdout":
                            seen += data[0]
                            if "END-OF-2" in seen:  # the command echoed back says $((1+1))
                                break
            async with session.delete(f"{base}/api/terminals/{name}"):
                pass
            return seen

    probe = "echo \"python=$(command -v python) venv=$VIRTUAL_ENV level=${MAKELEVEL:-none} flags=${MAKEFLAGS:-none} pwd=$(pwd)\"; echo END-OF-$((1+1))"
    out = asyncio.run(terminal(probe))
    venv = ROOT / ".venv"
    assert f"python={venv / 'bin' / 'python'} " in out, out
    assert f"venv={venv} " in out and "level=none flags=none" in out, out
    assert f"pwd={ROOT}" in out, out  # where `make check` works

    # A second `make lab` over the same folder says where the first one is.
    served = log.parent / "notebooks"
    second = subprocess.run(
        [MAKE, "--no-print-directory", "-C", str(ROOT), "lab", f"LAB_DIR={served}", "LAB_ARGS=--no-browser"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    assert "already running" in second.stdout and url in second.stdout, second.stdout
