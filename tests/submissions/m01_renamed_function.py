# expect: 1.4 error "MISSING FUNCTION total_value"
async def total_values(urls: list[str]) -> int:
    return 0
