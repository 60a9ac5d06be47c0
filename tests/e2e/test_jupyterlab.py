"""The course in a real browser: JupyterLab in headless Chromium, used the way a learner does.

JupyterLab is started by `make lab`, exactly as a learner starts it, and the browser opens
the address it printed.

1. The printed address lands on 00_welcome.ipynb, and the file browser, at its default
   width, shows enough of each name to tell a lesson from its exercises.
2. 00_welcome.ipynb: Run > Run All Cells finishes without an error and draws the plot.
3. 01_coroutines_and_tasks_exercises.ipynb: the first check says NOT ATTEMPTED; after a
   correct `fetch_all` is typed into its cell and run, the same check says PASSED.

JupyterLab serves a temporary copy of notebooks/ (`make lab LAB_DIR=...`), so the
repository's notebooks never change, and runs with its own settings, workspace, runtime and
kernel spec directories, so the user's JupyterLab configuration and servers cannot
interfere. Screenshots go to artifacts/e2e/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Locator, Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WELCOME = "00_welcome.ipynb"
EXERCISES = "01_coroutines_and_tasks_exercises.ipynb"
MAKE = shutil.which("make")
PRINTED_URL = re.compile(r"http://127\.0\.0\.1:\d+/\S*\?token=\w+")

# Generous limits: the machines that run this may be small and busy. Every wait below ends
# as soon as its condition holds; these only bound how long a broken run takes to fail.
SERVER_START_S = 120
KERNEL_READY_S = 120
CELL_RUN_MS = 180_000
UI_MS = 60_000

# A correct answer to task 1.1, typed into the notebook line by line.
FETCH_ALL = """\
async def fetch_all(urls: list[str]) -> list[dict]:
    async with aiohttp.ClientSession() as session:
        return await asyncio.gather(*(fetch_json(session, url) for url in urls))"""

NOTEBOOK = ".jp-NotebookPanel"
STDERR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
LOOKS_LIKE_ERROR = re.compile(r"Traceback|\b\w*(Error|Exception)\b")

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxy for 127.0.0.1


# --------------------------------------------------------------------------- processes
def _proc_stat(pid: int) -> tuple[int, str, str] | None:
    """(parent pid, start time, state) of a process, from /proc; None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), fields[19], fields[0]


def _descendants(root: int) -> list[tuple[int, str]]:
    """(pid, start time) of every process below ``root`` (Linux; empty elsewhere)."""
    if not os.path.isdir("/proc"):
        return []
    children: dict[int, list[tuple[int, str]]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _proc_stat(int(entry))) is not None:
            children.setdefault(stat[0], []).append((int(entry), stat[1]))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child[0])
    return found


def _alive(pid: int, started: str) -> bool:
    stat = _proc_stat(pid)
    return stat is not None and stat[1] == started and stat[2] != "Z"


def _end_processes(procs: list[tuple[int, str]], grace_s: float = 10) -> None:
    """Stop processes left over from the server (kernels, the lab service): TERM, then KILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        left = [(pid, started) for pid, started in procs if _alive(pid, started)]
        if not left:
            return
        for pid, _ in left:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline and any(_alive(*p) for p in left):
            time.sleep(0.1)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- the server
@dataclass
class LabServer:
    proc: subprocess.Popen[bytes]  # `make lab`, in a process group of its own
    base_url: str
    token: str
    root_dir: Path
    log: Path

    def api(self, path: str, method: str = "GET", timeout: float = 30) -> Any:
        req = urllib.request.Request(self.base_url + path, method=method)
        req.add_header("Authorization", f"token {self.token}")
        with _DIRECT.open(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def lab_url(self, notebook: str) -> str:
        # `reset` starts from an empty workspace: only this notebook is open.
        return f"{self.base_url}/lab/tree/{notebook}?reset&token={self.token}"

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])

    def wait_until_up(self, timeout_s: float) -> None:
        """Wait for the address `make lab` prints, then for the server to answer there."""
        deadline = time.monotonic() + timeout_s
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"make lab exited with code {self.proc.returncode}:\n{self.log_tail()}")
            url = self.printed_url()
            if url:
                # The learner's token: the one JupyterLab made up and printed.
                self.token = url.rsplit("token=", 1)[1]
                try:
                    self.api("/api/status", timeout=5)
                    return
                except (urllib.error.URLError, OSError):
                    pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer within {timeout_s} s:\n{self.log_tail()}")
            time.sleep(0.25)

    def printed_url(self) -> str | None:
        """The address `make lab` printed for the learner to open (the last one printed)."""
        try:
            found = PRINTED_URL.findall(self.log.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return None
        return found[-1] if found else None

    def kernel_of(self, notebook: str) -> dict[str, Any] | None:
        for session in self.api("/api/sessions"):
            if session.get("path") == notebook and session.get("kernel"):
                return self.api(f"/api/kernels/{session['kernel']['id']}")
        return None

    def shutdown_kernels(self) -> None:
        """Shut every kernel down through the server, so that their cleanup code runs."""
        for session in self.api("/api/sessions"):
            self.api(f"/api/sessions/{session['id']}", method="DELETE", timeout=60)
        for kernel in self.api("/api/kernels"):
            self.api(f"/api/kernels/{kernel['id']}", method="DELETE", timeout=60)

    def stop(self) -> None:
        # Note the server's processes before and after asking it to stop its kernels: a
        # kernel's own children may outlive it if it dies badly.
        leftovers = _descendants(self.proc.pid)
        if self.proc.poll() is None:
            try:
                self.shutdown_kernels()
            except (urllib.error.URLError, OSError):
                pass
        leftovers += _descendants(self.proc.pid)
        if self.proc.poll() is None:
            # make, and JupyterLab below it: the whole process group, as Ctrl-C would.
            _signal_group(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                _signal_group(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        _end_processes(leftovers)


def _prepare(tmp: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the notebooks to serve, and an environment isolated from the user's Jupyter."""
    served = tmp / "notebooks"
    skip = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    shutil.copytree(ROOT / "notebooks", served, ignore=skip)
    # 00_welcome runs ../scripts/demo_asyncio_run.py, relative to the notebook.
    shutil.copytree(ROOT / "scripts", tmp / "scripts", ignore=skip)

    settings = tmp / "lab-settings"
    notification = settings / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8"
    )
    # The notebooks ask for the kernel "python3": make it this interpreter, whatever
    # kernel specs the user has installed.
    data = tmp / "jupyter-data"
    kernel = data / "kernels" / "python3"
    kernel.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    (kernel / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")

    env = {
        k: v
        for k, v in os.environ.items()
        # Test-suite settings (short time limits, Agg backend) must not reach the kernel.
        if not k.startswith("ASYNCLAB_") and k not in {"MPLBACKEND", "JUPYTER_PATH"}
    }
    # Nothing of a make that runs this test may reach `make lab` (it starts its own).
    env = {k: v for k, v in env.items() if not k.startswith(("MAKE", "MFLAGS"))}
    for name, sub in {
        "JUPYTER_CONFIG_DIR": "jupyter-config",
        "JUPYTER_DATA_DIR": "jupyter-data",
        "JUPYTER_RUNTIME_DIR": "jupyter-runtime",
        "JUPYTERLAB_SETTINGS_DIR": "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": "lab-workspaces",
        "IPYTHONDIR": "ipython",
    }.items():
        (tmp / sub).mkdir(exist_ok=True)
        env[name] = str(tmp / sub)
    env["ASYNCLAB_HINTS"] = str(tmp / "hints.json")
    return served, env


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    if MAKE is None:
        pytest.skip("make is not installed")
    tmp = tmp_path_factory.mktemp("jupyterlab")
    served, env = _prepare(tmp)
    port = _free_port()
    log = tmp / "jupyterlab.log"
    # The learner's command, with the options a test needs added (LAB_ARGS adds to the
    # course's own: 127.0.0.1, the welcome notebook as landing page, --allow-root as root).
    extra = [
        "--no-browser",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--LabApp.news_url=None",
    ]
    cmd = [
        MAKE,
        "--no-print-directory",
        "-C",
        str(ROOT),
        "lab",
        f"LAB_DIR={served}",
        f"LAB_ARGS={' '.join(extra)}",
    ]
    with open(log, "wb") as out:
        # A session of its own: Ctrl+C in the terminal reaches pytest, whose teardown stops it.
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    server = LabServer(proc, f"http://127.0.0.1:{port}", "", served, log)
    try:
        server.wait_until_up(SERVER_START_S)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[BrowserContext]:
    profile = tempfile.mkdtemp(prefix="e2e-chromium-")
    # Chromium keeps crash reports under $XDG_CONFIG_HOME whatever the profile: keep the
    # user's home out of it too.
    env = {**os.environ, "XDG_CONFIG_HOME": profile, "XDG_CACHE_HOME": profile}
    try:
        with sync_api.sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                os.path.join(profile, "user-data"),
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
                env=env,
                viewport={"width": 1400, "height": 1000},
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(
    browser: BrowserContext, lab: LabServer, request: pytest.FixtureRequest,
    screenshots: list[Path],
) -> Iterator[Page]:  # fmt: skip
    page = browser.new_page()
    page.set_default_timeout(UI_MS)
    try:
        yield page
    finally:
        report = getattr(request.node, "e2e_call_report", None)
        if report is not None and report.failed:
            try:
                _screenshot(page, f"FAILED-{request.node.name}", screenshots)
            except Exception as exc:  # the page may be gone; the server log still helps
                print(f"no failure screenshot: {exc}")
            print(f"---- JupyterLab server log (last lines) ----\n{lab.log_tail()}")
        page.close()
        lab.shutdown_kernels()  # the next test starts with no kernel running


# --------------------------------------------------------------------------- page helpers
def _screenshot(page: Page, name: str, screenshots: list[Path]) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    screenshots.append(path)
    return path


def _open_notebook(page: Page, lab: LabServer, notebook: str) -> Locator:
    page.goto(lab.lab_url(notebook))
    panel = page.locator(NOTEBOOK)
    panel.locator(".jp-Cell").first.wait_for()
    _wait_for_kernel(page, lab, notebook)
    return panel


def _wait_for_kernel(page: Page, lab: LabServer, notebook: str) -> None:
    """Wait until the notebook's kernel is idle in the page and connected on the server.

    The toolbar saying "idle" alone is not enough: a cell run too early can be lost.
    """
    page.locator(f"{NOTEBOOK} .jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(
        state="attached", timeout=KERNEL_READY_S * 1000
    )
    deadline = time.monotonic() + KERNEL_READY_S
    while True:
        kernel = lab.kernel_of(notebook)
        if kernel and kernel.get("execution_state") == "idle" and kernel.get("connections", 0) > 0:
            return
        if time.monotonic() > deadline:
            pytest.fail(
                f"the kernel of {notebook} was not ready after {KERNEL_READY_S} s: {kernel}"
            )
        time.sleep(0.25)


def _menu(page: Page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{re.escape(menu)}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(rf"^{re.escape(item)}$")).click()


def _code_cell(panel: Locator, text: str) -> Locator:
    """The one code cell whose source contains ``text``."""
    cell = panel.locator(".jp-CodeCell").filter(
        has=panel.page.locator(".jp-InputArea-editor", has_text=text)
    )
    cell.wait_for()
    return cell


def _prompt(cell: Locator) -> str:
    return (cell.locator(".jp-InputPrompt").text_content() or "").strip()


def _run_cell(page: Page, cell: Locator) -> str:
    """Click into the cell, press Shift+Enter, wait until it has run; return its output text."""
    before = _prompt(cell)
    cell.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        """([prompt, before]) => {
            const text = prompt.textContent.trim();
            return /^\\[\\d+\\]:$/.test(text) && text !== before;
        }""",
        arg=[cell.locator(".jp-InputPrompt").element_handle(), before],
        timeout=CELL_RUN_MS,
    )
    return cell.locator(".jp-OutputArea").text_content() or ""


def _editor_text(cell: Locator) -> str:
    return "\n".join(cell.locator(".cm-line").all_text_contents())


def _type_code(page: Page, cell: Locator, code: str) -> None:
    """Replace the cell's source by typing ``code`` into its editor, key by key.

    The editor indents each new line by itself; selecting that indentation (Shift+Home)
    before typing the line makes the result exactly ``code`` whatever the editor inserted.
    """
    cell.locator(".cm-content").click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    for number, line in enumerate(code.split("\n")):
        if number:
            page.keyboard.press("Enter")
            page.keyboard.press("Shift+Home")
        page.keyboard.type(line)
    typed = _editor_text(cell)
    assert typed == code, f"the editor holds something else than what was typed:\n{typed}"


def _error_outputs(scope: Locator) -> list[str]:
    """Error output as JupyterLab renders it: stderr-typed outputs that hold a traceback."""
    texts = scope.locator(STDERR_OUTPUT).all_text_contents()
    return [t for t in texts if LOOKS_LIKE_ERROR.search(t)]


def _code_cell_count(notebook: Path) -> int:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum(c["cell_type"] == "code" for c in cells)


def _visible_name(page: Page, name: str) -> str:
    """The part of ``name`` the file browser shows, before any cut-off ("…")."""
    item = page.locator(
        ".jp-DirListing-item",
        has=page.locator(".jp-DirListing-itemText", has_text=re.compile(rf"^{re.escape(name)}$")),
    )
    item.wait_for()
    return item.locator(".jp-DirListing-itemText").evaluate(
        """(box) => {
            const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
            const text = walker.nextNode();
            const right = Math.min(box.getBoundingClientRect().right,
                                   box.closest('.jp-DirListing-item').getBoundingClientRect().right);
            const range = document.createRange();
            let shown = 0;
            for (let i = 1; i <= text.length; i++) {
                range.setStart(text, 0);
                range.setEnd(text, i);
                if (range.getBoundingClientRect().right > right + 0.5) break;
                shown = i;
            }
            return text.textContent.slice(0, shown);
        }"""
    )


# --------------------------------------------------------------------------- the tests
def test_printed_url_lands_on_the_welcome_notebook(
    page: Page, lab: LabServer, screenshots: list[Path]
) -> None:
    url = lab.printed_url()
    assert url == f"{lab.base_url}/lab/tree/{WELCOME}?token={lab.token}", url
    page.goto(url)  # a fresh workspace: what a learner sees first
    panel = page.locator(NOTEBOOK)
    panel.locator(".jp-Cell").first.wait_for()
    current = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel")
    assert current.first.text_content() == WELCOME
    # The welcome notebook's title, rendered.
    panel.locator("h1", has_text="Welcome to Async Python Patterns").first.wait_for()
    _wait_for_kernel(page, lab, WELCOME)

    # The file browser at its default width: a lesson and its exercises look different.
    page.locator(".jp-DirListing-content").wait_for()
    shown = {}
    for lesson in sorted(lab.root_dir.glob("[0-9][0-9]_*_exercises.ipynb")):
        exercises = lesson.name
        lesson_name = exercises.replace("_exercises", "")
        shown[lesson_name] = _visible_name(page, lesson_name)
        shown[exercises] = _visible_name(page, exercises)
        assert "_ex" in shown[exercises] or shown[lesson_name] == lesson_name, shown
        assert shown[lesson_name] != shown[exercises], shown
    _screenshot(page, "00_landing_welcome", screenshots)


def test_welcome_notebook_runs_all_cells(
    page: Page, lab: LabServer, screenshots: list[Path]
) -> None:
    panel = _open_notebook(page, lab, WELCOME)
    code_cells = _code_cell_count(lab.root_dir / WELCOME)
    # JupyterLab renders a long notebook's cells a few at a time: wait until all are there.
    page.wait_for_function(
        "([selector, expected]) => document.querySelectorAll(selector).length === expected",
        arg=[f"{NOTEBOOK} .jp-CodeCell", code_cells],
        timeout=UI_MS,
    )

    _menu(page, "Run", "Run All Cells")
    page.wait_for_function(
        """([selector, expected]) => {
            const prompts = [...document.querySelectorAll(selector)];
            return prompts.length === expected
                && prompts.every((p) => /^\\[\\d+\\]:$/.test(p.textContent.trim()));
        }""",
        arg=[f"{NOTEBOOK} .jp-CodeCell .jp-InputPrompt", code_cells],
        timeout=CELL_RUN_MS,
    )
    _wait_for_kernel(page, lab, WELCOME)

    assert _error_outputs(panel) == []
    environment = _code_cell(panel, "in_venv = sys.prefix").locator(".jp-OutputArea")
    assert f"interpreter  {sys.executable}" in (environment.text_content() or "")

    plot = panel.locator('.jp-OutputArea-output[data-mime-type="image/png"] img')
    assert plot.count() == 1
    plot.scroll_into_view_if_needed()
    assert plot.evaluate("img => img.complete && img.naturalWidth > 100")
    _screenshot(page, "01_welcome_run_all", screenshots)

    # JupyterLab renders an error and a warning on stderr alike; the saved notebook tells
    # them apart. Save it (into the temporary copy) and look for "error" outputs.
    panel.locator('.jp-Toolbar [data-command="docmanager:save"]').click()
    # The tab loses its "unsaved" mark once the server has written the file.
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-dirty").wait_for(state="detached")
    saved = lab.api(f"/api/contents/{WELCOME}?type=notebook&content=1")["content"]
    code = [c for c in saved["cells"] if c["cell_type"] == "code"]
    assert all(c.get("execution_count") for c in code), "the saved notebook lacks outputs"
    errors = [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
    assert errors == []


def test_exercise_check_goes_from_not_attempted_to_passed(
    page: Page, lab: LabServer, screenshots: list[Path]
) -> None:
    panel = _open_notebook(page, lab, EXERCISES)

    setup = _code_cell(panel, "svc = lab()")
    assert "lab service running at http://127.0.0.1:" in _run_cell(page, setup)

    answer = _code_cell(panel, "async def fetch_all(")
    _run_cell(page, answer)  # the stub, as handed out: it raises NotImplementedError
    check = _code_cell(panel, 'await check("1.1")')
    feedback = _run_cell(page, check)
    assert "Task 1.1" in feedback and "NOT ATTEMPTED" in feedback, feedback
    _screenshot(page, "02_check_not_attempted", screenshots)

    _type_code(page, answer, FETCH_ALL)
    _run_cell(page, answer)
    assert _error_outputs(answer) == []

    feedback = _run_cell(page, check)
    assert "Task 1.1" in feedback and "PASSED" in feedback, feedback
    assert "NOT ATTEMPTED" not in feedback
    assert _error_outputs(panel) == []
    answer.scroll_into_view_if_needed()
    check.scroll_into_view_if_needed()
    _screenshot(page, "03_check_passed", screenshots)
