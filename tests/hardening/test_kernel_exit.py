"""The learner's code ends the kernel's process: inside the coroutine (os._exit), at the
top level of a cell, or by raising SystemExit inside the coroutine (which would stop the
event loop). The kernel is restarted, the other tasks are graded."""

import pytest

EXIT_IN_COROUTINE = '''
async def fetch_all(urls: list[str]) -> list[dict]:
    import os
    os._exit(3)
'''

EXIT_AT_TOP_LEVEL = '''
import os

async def fetch_all(urls: list[str]) -> list[dict]:
    return []

os._exit(3)
'''

SYS_EXIT = '''
async def fetch_all(urls: list[str]) -> list[dict]:
    import sys
    sys.exit("giving up")
'''


@pytest.mark.parametrize(
    ("source", "status", "message"),
    [
        (EXIT_IN_COROUTINE, "error", "the kernel exited with code 3 (os._exit()? a crash?) while fetch_all() was running."),
        (EXIT_AT_TOP_LEVEL, "error", "the kernel exited with code 3 (os._exit()? a crash?) while running the cell that defines fetch_all."),
        (SYS_EXIT, "error", "fetch_all() called sys.exit() or exit() (SystemExit), which would stop the whole program. Return a value, or raise an exception to report a failure."),
    ],
    ids=["os-exit-in-coroutine", "os-exit-at-top-level", "sys-exit-in-coroutine"],
)
def test_kernel_exit(submission, source: str, status: str, message: str) -> None:
    submission.notebook({"fetch_all": source})
    graded = submission.grade("1.1", "1.2")
    assert (graded["1.1"].status, graded["1.1"].message) == (status, message)
    graded.others_passed("1.1")
