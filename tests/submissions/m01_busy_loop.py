# expect: 1.1 timed out "blocked the event loop for more than"
# others: passed
async def fetch_all(urls: list[str]) -> list[dict]:
    n = 0
    while True:  # a loop that never awaits
        n += 1
