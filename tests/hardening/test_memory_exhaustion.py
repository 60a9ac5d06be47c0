"""A runaway allocation meets the grader's memory cap on the kernel and becomes a
MemoryError (not a frozen machine); the memory is freed and the next task passes.

The chunks are bytes(n): zero pages the system does not touch until written, so this test
costs no real memory even on a machine where the cap would not apply."""

import sys

import pytest

HOARDER = '''
async def fetch_all(urls: list[str]) -> list[dict]:
    hoard = []
    while True:
        hoard.append(bytes(10**8))
        await asyncio.sleep(0)
'''


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")
def test_memory_exhaustion(submission, monkeypatch) -> None:
    monkeypatch.setenv("ASYNCLAB_KERNEL_MEMORY_MB", "1536")
    submission.notebook({"fetch_all": HOARDER})
    graded = submission.grade("1.1", "1.2")
    got = graded["1.1"]
    assert got.status == "error"
    assert got.message == (
        "fetch_all() ran out of memory (MemoryError). Does something grow without end, such as a "
        "list filled in a loop that never stops?"
    )
    graded.others_passed("1.1")
