"""A cell that leaves things running at its top level: an aiohttp server, a background
task, a child process. Grading still works, and afterwards none of it is left: no kernel,
no lab service, no child process, no listening port, no temporary folder."""

import os
import socket
import sys
import tempfile
import time
from pathlib import Path

import pytest

LEFTOVERS = '''
import os
import subprocess
import sys

from aiohttp import web


async def _hello(request):
    return web.Response(text="still here")

_app = web.Application()
_app.router.add_get("/", _hello)
_runner = web.AppRunner(_app)
await _runner.setup()
_site = web.TCPSite(_runner, "127.0.0.1", 0)
await _site.start()
_port = _runner.addresses[0][1]


async def _forever():
    while True:
        await asyncio.sleep(0.05)

_background = asyncio.create_task(_forever())
_child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
with open("leftovers.txt", "a") as f:
    print(os.getpid(), svc.pid, _child.pid, _port, file=f)


async def fetch_all(urls: list[str]) -> list[dict]:
    async with aiohttp.ClientSession() as session:
        return await asyncio.gather(*(fetch_json(session, u) for u in urls))
'''


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():
        try:
            return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended
        except (OSError, IndexError):
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return sys.platform != "linux"


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX process groups")
def test_leftover_processes(submission, monkeypatch) -> None:
    temp = Path(tempfile.mkdtemp(prefix="al-"))  # short: it holds the kernel's socket files
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    submission.notebook({"fetch_all": LEFTOVERS})
    graded = submission.grade("1.1")
    assert graded["1.1"].status == "passed", graded["1.1"].message
    lines = (submission.folder / "leftovers.txt").read_text().split("\n")
    pids_ports = [tuple(map(int, line.split())) for line in lines if line.strip()]
    assert pids_ports, "the cell did not run"
    deadline = time.monotonic() + 5  # orphans are reaped by the system, not by us
    for kernel, lab, child, port in pids_ports:
        for pid in (kernel, lab, child):
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
        assert not _alive(kernel), "the kernel is still running"
        assert not _alive(lab), "the lab service is still running"
        assert not _alive(child), "the learner's child process is still running"
        assert not _listening(port), "the learner's server still listens"
    assert not list(temp.iterdir()), "the grader left temporary files"
    temp.rmdir()
