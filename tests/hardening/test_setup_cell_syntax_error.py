"""A syntax error in the setup cell: nothing in it runs, so every task fails; each one
points at the cell to fix first instead of only saying "name 'aiohttp' is not defined"."""


def test_setup_cell_syntax_error(submission) -> None:
    broken = submission.setup_source().replace(
        "async def fetch_json(session: aiohttp.ClientSession, url: str) -> dict:",
        "async def fetch_json(session: aiohttp.ClientSession, url: str) -> dict",
    )
    line = broken.splitlines().index("async def fetch_json(session: aiohttp.ClientSession, url: str) -> dict") + 1
    submission.notebook(setup=broken)
    graded = submission.grade("1.1", "1.4")
    for task_id, function in (("1.1", "fetch_all"), ("1.4", "total_value")):
        got = graded[task_id]
        assert got.status == "error"
        assert got.message.startswith(
            f"an earlier cell failed, so {function}() could not work: the cell starting "
            f"`import asyncio` raised SyntaxError (line {line} of the cell): expected ':'. Fix that "
            "cell first, then run all cells again. (The check saw: "
            f"{function}() raised NameError: name 'aiohttp' is not defined"
        ), got.message
        assert got.message.endswith(")")  # the learner's line may follow, in parentheses
