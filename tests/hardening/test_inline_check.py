"""The inline `await check(...)` in the learner's own kernel (no grader around it): it
must finish with a clear status whatever the learner's code does, keep the kernel usable,
and not flood the notebook with output."""

import json
import sys

import pytest
from hardening_support import MODULE, limit

from asynclab.checking import OUTPUT_LIMIT
from asynclab.grade import Kernel


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory):
    """A kernel like JupyterLab's, with module 01's setup cell run."""
    k = Kernel(tmp_path_factory.mktemp("inline"), grading=False)
    nb = json.loads(MODULE.solutions.read_text(encoding="utf-8"))
    source = "".join(next(c for c in nb["cells"] if c["cell_type"] == "code")["source"])
    run = k.run(source, 60)
    assert run.status == "ok", run.error
    yield k
    k.shutdown()


def stops_by_itself(task_id: str) -> float:
    """How long the cell may take: the check stops runaway code by itself (no restart), but
    it counts the time a CPU was free for the loop, so a crowded machine stretches it."""
    return 3 * float(limit(task_id)) + 20


def _check(kernel: Kernel, definition: str, task_id: str, seconds: float):
    defined = kernel.run(definition, 30)
    assert defined.status == "ok", defined.error
    run = kernel.run(f'await check("{task_id}")', seconds)
    assert run.status == "ok", f"check() did not finish: {run.status} {run.error}"
    alive = kernel.run("print(1 + 1)", 10)
    assert alive.output.strip() == "2", "the kernel is not usable after the check"
    return run


def test_awaits_forever(kernel: Kernel) -> None:
    run = _check(kernel, "async def fetch_all(urls):\n    await asyncio.Event().wait()", "1.1", stops_by_itself("1.1"))
    assert "Task 1.1" in run.output and "TIMED OUT" in run.output
    assert f"fetch_all() was still running after {limit('1.1')} s and was cancelled." in run.output


@pytest.mark.skipif(sys.platform == "win32", reason="no signals on Windows")
def test_sleep_forever(kernel: Kernel) -> None:
    run = _check(kernel, "async def fetch_all(urls):\n    time.sleep(1000)", "1.1", stops_by_itself("1.1"))
    assert "TIMED OUT" in run.output
    assert (
        f"fetch_all() blocked the event loop for more than {limit('1.1')} s (in fetch_all(), at "
        "`time.sleep(1000)`) and was stopped" in run.output
    )


def test_busy_loop(kernel: Kernel) -> None:
    run = _check(kernel, "async def fetch_all(urls):\n    while True: pass", "1.1", stops_by_itself("1.1"))
    assert "TIMED OUT" in run.output
    assert "(in fetch_all(), at `while True: pass`) and was stopped" in run.output


def test_error_names_the_cell_as_jupyterlab_numbers_it(kernel: Kernel) -> None:
    """JupyterLab shows [N] beside a cell it ran: the inline check names the same N."""
    defined = kernel.run("async def fetch_all(urls):\n    return 1 / 0\nprint(get_ipython().execution_count)", 30)
    # IPython counts the cell before it runs it: the [N] JupyterLab shows beside it is one less.
    defined_in = int(defined.output) - 1
    run = kernel.run('await check("1.1")', 30)
    assert f"ZeroDivisionError: division by zero (in fetch_all(), line 2 of cell In[{defined_in}]: `return 1 / 0`)" in run.output, run.output


def test_flood_of_output(kernel: Kernel) -> None:
    flood = (
        "async def fetch_all(urls):\n"
        "    for i in range(50):\n"
        "        print('x' * 1_000_000)\n"
        "        await asyncio.sleep(0)\n"
        "    async with aiohttp.ClientSession() as session:\n"
        "        return await asyncio.gather(*(fetch_json(session, u) for u in urls))\n"
    )
    assert kernel.run(flood, 30).status == "ok"
    run = kernel.run('outcome = await check("1.1")', 30)
    assert run.status == "ok", run.error
    assert run.output_chars < OUTPUT_LIMIT + 1_000, "the check let the whole flood through"
    after = kernel.run("print(outcome.status, len(outcome.notes), outcome.notes[0])", 10)
    assert after.output.strip().startswith("passed 1 fetch_all() printed ")
    assert after.output.strip().endswith(f" characters; only the first {OUTPUT_LIMIT:,} were shown.")


def test_missing_function(kernel: Kernel) -> None:
    run = _check(kernel, "async def fetchall(urls):\n    return []", "1.2", 30)
    assert "ERROR" in run.output and "MISSING FUNCTION first_success: did you rename it" in run.output


def test_sys_exit(kernel: Kernel) -> None:
    run = _check(kernel, "async def total_value(urls):\n    raise SystemExit(1)", "1.4", 30)
    assert "ERROR" in run.output and "total_value() called sys.exit() or exit() (SystemExit)" in run.output


def test_unknown_task(kernel: Kernel) -> None:
    run = _check(kernel, "pass", "9.9", 30)
    assert run.output.startswith("There is no task '9.9'. Tasks: 1.1, 1.2")
    hinted = kernel.run('hint("9.9")', 10)
    assert hinted.status == "ok" and hinted.output.startswith("There is no task '9.9'.")
