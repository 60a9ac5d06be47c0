"""The grader's kernel: a fresh IPython kernel in the grader's own environment, with a
deadline on every execution, restarted when learner code hangs or kills it.

The kernel is started through nbval's kernel-spec manager with its parent-environment
kernel, so it runs in the grader's interpreter (the course's venv) whatever "python3"
kernels are registered on the machine. Deadlines stay here rather than in pytest-timeout:
a timeout must restart the kernel and re-run the notebook, which pytest-timeout cannot do.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..checking import GRADING, OUTPUT_LIMIT, RESULT_MIME, STRICT

PROFILE_DIR = Path(__file__).resolve().parent.parent / "ipython_profile"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
CELL_LINE = re.compile(r"(?:Cell In\[\d+\]|ipykernel_\d+[\\/]\d+\.py), line (\d+)")


def cell_timeout() -> float:
    """Seconds a learner cell may run (ASYNCLAB_CELL_TIMEOUT; read when used, not at import)."""
    return float(os.environ.get("ASYNCLAB_CELL_TIMEOUT", "30"))


def memory_limit_mb() -> int:
    """The memory cap of one grading kernel: ASYNCLAB_KERNEL_MEMORY_MB (0 = none), else half
    the machine's memory shared by the kernels that grade at once (one per pytest-xdist
    worker), at least 1 GB and at most 8 GB per kernel."""
    configured = os.environ.get("ASYNCLAB_KERNEL_MEMORY_MB")
    if configured:
        return int(configured)
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (AttributeError, ValueError, OSError):  # Windows: no cap is applied there anyway
        return 4096
    workers = max(1, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1))
    return max(1024, min(8192, total // 2 // workers))


@dataclass
class CellRun:
    status: str  # "ok", "error", "timeout", "dead"
    error: str = ""
    results: list[dict[str, Any]] = field(default_factory=list)
    output_chars: int = 0
    output: str = ""  # the first OUTPUT_LIMIT characters of what the cell printed
    exit_code: int | None = None  # when the kernel died
    data: list[dict[str, Any]] = field(default_factory=list)  # other display data (mime -> value)


def _kernel_manager():
    from jupyter_client import KernelManager

    try:  # nbval's manager: "the interpreter running this process" as a kernel spec
        from nbval.kernel import CURRENT_ENV_KERNEL_NAME, NbvalKernelspecManager

        return KernelManager(kernel_name=CURRENT_ENV_KERNEL_NAME, kernel_spec_manager=NbvalKernelspecManager())
    except ImportError:  # pragma: no cover - nbval is a dependency; keep grading without it
        return KernelManager(kernel_name="python3")


class Kernel:
    """A fresh IPython kernel, restarted when learner code hangs or kills it.

    With ``grading=True`` (the grader) inline check() cells are no-ops, the kernel's memory
    is capped and each cell's output is cut after OUTPUT_LIMIT characters; with
    ``grading=False`` it behaves like the learner's own kernel in JupyterLab.
    ``setup`` is code run in every fresh kernel (after a restart too) before learner code.
    """

    def __init__(self, cwd: Path, *, grading: bool = True, setup: str = "") -> None:
        env = dict(os.environ)
        env.update({"IPYTHONDIR": str(PROFILE_DIR), "MPLBACKEND": "Agg"})
        env.pop(GRADING, None)
        env.pop(STRICT, None)
        env.pop("PYTEST_XDIST_WORKER", None)  # the kernel is not a test worker
        if grading:
            env[GRADING] = "1"
        self.grading = grading
        self.setup = setup
        self.km = _kernel_manager()
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
            prepared = self.run(
                "__import__('asynclab.checking', fromlist=['_'])"
                f".prepare_grading_kernel({memory_limit_mb()})",
                60,
            )
            if prepared.status != "ok":
                raise RuntimeError(f"the grading kernel could not be prepared: {prepared.error or prepared.status}")
        if self.setup:
            prepared = self.run(self.setup, 60)
            if prepared.status != "ok":
                raise RuntimeError(f"the grading kernel could not be prepared: {prepared.error or prepared.status}")

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
        msg_id = self.kc.execute(code, store_history=not self.grading, allow_stdin=False)
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
                else:
                    run.data.append(data)
            elif kind == "error":
                run.status = "error"
                run.error = describe_error(content)
            elif kind == "status" and content.get("execution_state") == "idle":
                return run
            if time.monotonic() > deadline:
                run.status = "timeout"
                return run


def describe_error(content: dict[str, Any]) -> str:
    """``Name (line N of the cell): message`` from a kernel's error message, without colours."""
    name, value = content.get("ename", "Error"), ANSI.sub("", str(content.get("evalue", "")))
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
