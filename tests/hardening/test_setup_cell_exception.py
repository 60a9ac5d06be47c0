"""An exception part-way through the setup cell: what came after it was never defined."""


def test_setup_cell_exception(submission) -> None:
    source = submission.setup_source()
    cut = source.index("async def fetch_json")
    broken = source[:cut] + 'raise RuntimeError("the lab service is not reachable")\n\n\n' + source[cut:]
    line = broken[: broken.index("raise RuntimeError")].count("\n") + 1
    submission.notebook(setup=broken)
    got = submission.grade("1.1")["1.1"]
    assert got.status == "error"
    assert got.message.startswith(
        "an earlier cell failed, so fetch_all() could not work: the cell starting `import asyncio` "
        f"raised RuntimeError (line {line} of the cell): the lab service is not reachable. Fix that "
        "cell first, then run all cells again. (The check saw: fetch_all() raised NameError: name "
        "'fetch_json' is not defined"
    ), got.message
    assert "When a task in a TaskGroup fails" not in got.message  # a bug, not a failure to handle
