"""A coroutine that awaits something that never happens: stopped at the task's time limit."""

from hardening_support import limit

FOREVER = '''
async def fetch_with_progress(urls: list[str], on_result) -> list[dict]:
    await asyncio.Event().wait()  # nobody ever sets it
'''


def test_awaits_forever(submission) -> None:
    submission.notebook({"fetch_with_progress": FOREVER})
    graded = submission.grade("1.3", "1.4")
    got = graded["1.3"]
    assert got.status == "timed out"
    assert got.message == (
        f"fetch_with_progress() was still running after {limit('1.3')} s and was cancelled. Where "
        "your tasks were waiting: fetch_with_progress(), line 2: `await asyncio.Event().wait()  # "
        "nobody ever sets it`, waiting in Event.wait(). `await event.wait()` returns only once "
        "someone calls `event.set()`."
    )
    graded.others_passed("1.3")
