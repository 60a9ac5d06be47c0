# expect: 4.3 failed "not given back once with outcome 'cancelled'"
# verdict: wrong
# clause: "the call was cancelled | release with outcome **`\"cancelled\"`**"
# defect: Releases in `finally` with an outcome that starts as "failed" and becomes "ok" on success, so a cancellation is recorded as "failed".
async def fetch_with_slot(session: aiohttp.ClientSession, pool, url: str) -> dict:
    """Fetch url while holding a slot from pool; always give the slot back."""
    slot = await pool.acquire()
    outcome = "failed"
    try:
        item = await fetch_json(session, url)
        outcome = "ok"
        return item
    finally:
        await pool.release(slot, outcome)
