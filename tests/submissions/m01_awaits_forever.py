# expect: 1.3 timed out "still running after"
# others: passed
async def fetch_with_progress(urls: list[str], on_result) -> list[dict]:
    await asyncio.Event().wait()  # nobody ever sets it
