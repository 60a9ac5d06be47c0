"""time.sleep inside a coroutine: failed as blocking the loop, naming the line."""

SLEEP = '''
async def total_value(urls: list[str]) -> int:
    async with aiohttp.ClientSession() as session:
        items = await asyncio.gather(*(fetch_json(session, u) for u in urls))
    time.sleep(0.6)
    return sum(item["value"] for item in items)
'''


def test_time_sleep_in_coroutine(submission) -> None:
    submission.notebook({"total_value": SLEEP})
    got = submission.grade("1.4")["1.4"]
    assert got.status == "failed"
    assert got.message.startswith("total_value() blocked the event loop for ")
    assert " s in total_value(), at `time.sleep(0.6)`. " in got.message
