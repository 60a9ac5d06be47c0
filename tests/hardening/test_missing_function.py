"""A renamed task function: reported as missing, naming the likely new name."""

RENAMED = '''
async def fetch_all_urls(urls: list[str]) -> list[dict]:
    async with aiohttp.ClientSession() as session:
        return await asyncio.gather(*(fetch_json(session, u) for u in urls))
'''


def test_missing_function(submission) -> None:
    submission.notebook({"fetch_all": RENAMED})
    graded = submission.grade("1.1", "1.2")
    got = graded["1.1"]
    assert got.status == "error"
    assert got.message == (
        "MISSING FUNCTION fetch_all: did you rename it (found `fetch_all_urls`), or has its cell not "
        "run yet? Keep the name `fetch_all` and run its cell (or Run > Run All Cells) before checking."
    )
    graded.others_passed("1.1")


def test_deleted_function(submission) -> None:
    submission.notebook({"fetch_all": "# I will write this later\n"})
    got = submission.grade("1.1")["1.1"]
    assert got.status == "error"
    assert got.message.startswith("MISSING FUNCTION fetch_all: did you rename it, or has its cell not run yet?")
