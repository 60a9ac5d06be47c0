# expect: 1.2 timed out "never finished running"
# others: passed
async def first_success(urls: list[str]) -> dict:
    return {}

while True:  # top-level code in the cell that never ends
    pass
