"""time.sleep(1000) inside a coroutine: a blocking C call that an injected exception
cannot reach. A signal interrupts the sleep, so the check ends at the time limit and names
the line; the kernel survives and the other task is graded."""

import sys

import pytest
from hardening_support import limit

SLEEPY = '''
async def total_value(urls: list[str]) -> int:
    time.sleep(1000)
    return 0
'''


@pytest.mark.skipif(sys.platform == "win32", reason="no signals on Windows: the kernel restart covers it")
def test_sleep_forever_in_coroutine(submission) -> None:
    submission.notebook({"total_value": SLEEPY})
    graded = submission.grade("1.1", "1.4")
    got = graded["1.4"]
    assert got.status == "timed out"
    assert got.message == (
        f"total_value() blocked the event loop for more than {limit('1.4')} s (in total_value(), at "
        "`time.sleep(1000)`) and was stopped: a loop that never ends? Inside a coroutine every wait "
        "must be an `await`."
    )
    graded.others_passed("1.4")
