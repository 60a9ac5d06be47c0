# expect: 4.3 passed "nothing released"
# verdict: right
# clause: all satisfied
# defect: -
async def fetch_with_slot(session: aiohttp.ClientSession, pool, url: str) -> dict:
    """Fetch url while holding a slot from pool; always give the slot back."""
    slot = await pool.acquire()  # cancelled here: no slot yet, nothing to give back
    outcome = "cancelled"  # the only way out that skips both assignments below
    try:
        item = await fetch_json(session, url)
        outcome = "ok"
        return item
    except Exception:
        outcome = "failed"
        raise
    finally:
        await pool.release(slot, outcome)
