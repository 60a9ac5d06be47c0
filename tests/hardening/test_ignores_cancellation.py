"""A coroutine that never finishes and swallows the cancellation meant to stop it."""

from hardening_support import limit

STUBBORN = '''
async def fetch_with_progress(urls: list[str], on_result) -> list[dict]:
    while True:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            pass  # carries on: the mistake
'''


def test_ignores_cancellation(submission) -> None:
    submission.notebook({"fetch_with_progress": STUBBORN})
    graded = submission.grade("1.3", "1.4")
    got = graded["1.3"]
    assert got.status == "timed out"
    assert got.message.startswith(f"fetch_with_progress() was still running after {limit('1.3')} s and was cancelled.")
    assert got.message.endswith(
        "It also ignored being cancelled (does it catch CancelledError, with a bare `except:` or "
        "`except BaseException:`, without raising it again?), so it may still be running: restart "
        "the kernel to stop it."
    )
    graded.others_passed("1.3")
