"""One huge computation in C (sum over a huge range) holds the interpreter: nothing inside
the kernel can stop it. The grader's own time limit restarts the kernel, re-runs the other
cells and goes on with the next task."""

from hardening_support import limit

ENDLESS = '''
async def fetch_all(urls: list[str]) -> list[dict]:
    return [sum(range(10**15))]
'''


def test_endless_computation(submission, monkeypatch) -> None:
    monkeypatch.setenv("ASYNCLAB_CHECK_GRACE", "4")  # correct checks of module 01 take far less
    submission.notebook({"fetch_all": ENDLESS})
    graded = submission.grade("1.1", "1.2")
    got = graded["1.1"]
    assert got.status == "timed out"
    assert got.message == (
        f"fetch_all() did not finish within {limit('1.1')} s and could not be stopped, so the grader "
        "restarted the kernel. Something in it never gives control back: a loop without `await`, "
        "time.sleep(), or one huge computation?"
    )
    graded.others_passed("1.1")
