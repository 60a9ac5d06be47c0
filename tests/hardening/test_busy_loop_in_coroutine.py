"""A synchronous endless loop inside the coroutine, one that even swallows exceptions:
the loop watch stops it from inside, the kernel survives, the next task is graded."""

from hardening_support import limit

BUSY = '''
async def fetch_all(urls: list[str]) -> list[dict]:
    n = 0
    while True:  # never awaits
        try:
            n += 1
        except Exception:
            pass
'''


def test_busy_loop_in_coroutine(submission) -> None:
    submission.notebook({"fetch_all": BUSY})
    graded = submission.grade("1.1", "1.2")
    got = graded["1.1"]
    assert got.status == "timed out"
    assert got.message.startswith(f"fetch_all() blocked the event loop for more than {limit('1.1')} s (in fetch_all(), at `")
    assert got.message.endswith(
        "and was stopped: a loop that never ends? Inside a coroutine every wait must be an `await`."
    )
    graded.others_passed("1.1")
