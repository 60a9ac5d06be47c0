"""Huge output: a print in a hot loop at the top level of a cell, and a flood of output
from inside the coroutine. The grader keeps at most OUTPUT_LIMIT characters per cell (the
kernel drops the rest before sending it), and the task is graded on what it does."""

from pathlib import Path

from asynclab.checking import OUTPUT_LIMIT
from asynclab.grade import Kernel, scoreboard

CORRECT = '''
async def fetch_all(urls: list[str]) -> list[dict]:
    async with aiohttp.ClientSession() as session:
        return await asyncio.gather(*(fetch_json(session, u) for u in urls))
'''

HOT_LOOP_AT_TOP_LEVEL = CORRECT + '''
for i in range(100_000):
    print("debug", i)
'''

FLOOD_IN_COROUTINE = '''
async def fetch_all(urls: list[str]) -> list[dict]:
    for _ in range(10):
        print("x" * 5_000_000)
        await asyncio.sleep(0)
    async with aiohttp.ClientSession() as session:
        return await asyncio.gather(*(fetch_json(session, u) for u in urls))
'''


def test_hot_print_loop_at_top_level(submission) -> None:
    submission.notebook({"fetch_all": HOT_LOOP_AT_TOP_LEVEL})
    graded = submission.grade("1.1")
    assert graded["1.1"].status == "passed", graded["1.1"].message
    assert len(scoreboard([graded.report], show_hints=True)) < 2_000


def test_flood_in_coroutine(submission) -> None:
    submission.notebook({"fetch_all": FLOOD_IN_COROUTINE})
    got = submission.grade("1.1")["1.1"]
    assert got.status == "passed", got.message
    # One note for the whole check, however often it calls fetch_all (each call prints 50 MB).
    assert len(got.notes) == 1, got.notes
    assert got.notes[0].startswith("fetch_all() printed ")
    assert got.notes[0].endswith(f" characters; only the first {OUTPUT_LIMIT:,} were shown.")
    printed = int(got.notes[0].split()[2].replace(",", ""))
    assert printed >= 50_000_010 and printed % 50_000_010 == 0


def test_grader_kernel_keeps_only_the_first_characters(tmp_path: Path) -> None:
    kernel = Kernel(tmp_path)
    try:
        run = kernel.run("for _ in range(20):\n    print('y' * 1_000_000)\nprint('done')", 60)
    finally:
        kernel.shutdown()
    assert run.status == "ok"
    assert run.output.startswith("y" * 1000)
    assert len(run.output) <= OUTPUT_LIMIT
    assert run.output_chars < OUTPUT_LIMIT + 200, "the kernel sent the whole flood to the grader"
