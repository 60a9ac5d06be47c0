"""A blocking HTTP call (urllib) inside a coroutine: failed, naming the function and line."""

BLOCKING = '''
async def total_value(urls: list[str]) -> int:
    return total_value_sync(urls)  # an async def that still calls the blocking function
'''


def test_blocking_http_in_coroutine(submission) -> None:
    submission.notebook({"total_value": BLOCKING})
    got = submission.grade("1.4")["1.4"]
    assert got.status == "failed"
    assert got.message.startswith("total_value() blocked the event loop for ")
    assert " s in total_value_sync(), at `with direct.open(url, timeout=10) as resp:`. Nothing else can run meanwhile." in got.message
    assert got.message.endswith(
        "Inside a coroutine use `await asyncio.sleep()` instead of time.sleep(), aiohttp instead of "
        "urllib/requests, or asyncio.to_thread() for blocking code."
    )
