"""A task function written with `def` where it must be `async def`."""

SYNC = '''
def fetch_all(urls: list[str]) -> list[dict]:
    return [json.load(urllib.request.urlopen(u)) for u in urls]
'''


def test_not_async(submission) -> None:
    submission.notebook({"fetch_all": SYNC})
    got = submission.grade("1.1")["1.1"]
    assert got.status == "failed"
    assert got.message == "`fetch_all` must be a coroutine function: define it with `async def fetch_all(...)`."
