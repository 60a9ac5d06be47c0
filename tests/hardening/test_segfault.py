"""A crash of the kernel's process (a segmentation fault through ctypes)."""

import sys

import pytest

CRASH = '''
async def fetch_all(urls: list[str]) -> list[dict]:
    import ctypes
    return ctypes.string_at(0)  # reads address 0
'''


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_segfault(submission) -> None:
    submission.notebook({"fetch_all": CRASH})
    graded = submission.grade("1.1", "1.2")
    got = graded["1.1"]
    assert got.status == "error"
    assert got.message == (
        "the kernel crashed (SIGSEGV: code that reads a bad address, e.g. through ctypes?) while "
        "fetch_all() was running."
    )
    graded.others_passed("1.1")
