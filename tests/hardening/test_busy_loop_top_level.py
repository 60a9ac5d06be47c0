"""An endless loop at the top level of a cell: the cell times out, the kernel is restarted
and the notebook's other cells re-run, so the tasks before and after it are still graded."""

from asynclab.grade import CELL_TIMEOUT

FOREVER = '''
async def first_success(urls: list[str]) -> dict:
    return {}

while True:  # top-level code in the cell that never ends
    pass
'''


def test_busy_loop_top_level(submission) -> None:
    submission.notebook({"first_success": FOREVER})
    graded = submission.grade("1.1", "1.2", "1.3")
    got = graded["1.2"]
    assert got.status == "timed out"
    assert got.message == (
        f"the cell that defines first_success never finished running (more than {CELL_TIMEOUT:g} s): "
        "a loop that never ends at the top level of the cell?"
    )
    graded.others_passed("1.2")
