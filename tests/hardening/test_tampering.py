"""A notebook that changes the grader's own code in its kernel (replaces the grading entry
point, a check, a limit, or a method of the check API while being checked) is graded as
tampering: status error with a reason saying what was changed, never the points the fake
would claim. (Replacing ``evaluate`` is in tests/test_grading_plugin.py; the solutions,
which only import ``check, hint, lab`` and the lessons' ``workloads``, are never flagged.)"""

import pytest

from asynclab.grading import tamper

FAKE_RESULT = '''
import asynclab.checking as _c
from IPython.display import display as _display

async def _full_marks(task_id, namespace=None):
    t = _c.manifest.task(task_id)
    return _c.Outcome(t.id, t.title, "passed", "looks fine", t.points, t.points)

async def _publish(task_id):
    o = await _full_marks(task_id)
    _display({_c.RESULT_MIME: _c.asdict(o), "text/plain": ""}, raw=True)
'''

CASES = {
    "grade replaced": (FAKE_RESULT + "_c.grade = _publish\n", "asynclab.checking.grade"),
    "check replaced": (
        "import asynclab.checking as _c, exercises_tests.checks_01\n"
        "async def _ok(ctx):\n    return 'fine'\n"
        "_c._REGISTRY['1.1'] = _ok\n",
        "check 1.1",
    ),
    "limit raised": ("import asynclab.checking\nasynclab.checking.BLOCK_LIMIT = 1e9\n", "asynclab.checking.BLOCK_LIMIT"),
    "limit raised where it lives": (
        "import asynclab.loopwatch\nasynclab.loopwatch.BLOCK_LIMIT = 1e9\n", "asynclab.loopwatch.BLOCK_LIMIT"
    ),
}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_tampering_in_a_cell(submission, case: str) -> None:
    code, changed = CASES[case]
    submission.notebook(setup=submission.setup_source() + "\n" + code)
    graded = submission.grade("1.1")  # every task would say the same
    got = graded["1.1"]
    assert (got.status, got.earned) == ("error", 0), f"{got.status}: {got.message}"
    assert got.message.startswith("TAMPERING: the notebook changed the grader's own code")
    assert f"`{changed}`" in got.message
    assert "tampering" in graded.report.flags and "internals" in graded.report.flags


def test_tampering_while_the_check_runs(submission) -> None:
    """The learner's function patches the check API while being checked: that task is
    tampering; the kernel is restarted and the next task is graded normally."""
    submission.notebook({"fetch_all": (
        "async def fetch_all(urls):\n"
        "    import asynclab.checking\n"
        "    asynclab.checking.CheckContext.expect = lambda *a, **k: None\n"
        "    return []\n"
    )})
    graded = submission.grade("1.1", "1.2")
    got = graded["1.1"]
    assert got.status == "error" and got.message.startswith("TAMPERING"), got.message
    assert "`asynclab.checking.CheckContext.expect`" in got.message
    graded.others_passed("1.1")


@pytest.mark.parametrize(
    ("line", "flagged"),
    [
        ("from asynclab import check, hint, lab, workloads", False),
        ("from asynclab.web import ServerThread", False),
        ("import asynclab.workloads as w", False),
        ("from asynclab import checking", True),
        ("from asynclab.hints import _mark_seen", True),
        ("import asynclab.checking", True),
        ("asynclab.checking.BLOCK_LIMIT = 1e9", True),
        ("from exercises_tests import checks_01", True),
    ],
)
def test_what_counts_as_internals(line: str, flagged: bool) -> None:
    assert tamper.internals_used(line) is flagged
