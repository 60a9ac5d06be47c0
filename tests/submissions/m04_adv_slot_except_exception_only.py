# expect: 4.3 failed "not given back once with outcome 'cancelled'"
# verdict: wrong
# clause: "The slot must be given back **on every path**" (the call was cancelled | "cancelled")
# defect: Handles success and `except Exception`, but CancelledError is a BaseException, so a cancelled request keeps its slot forever.
async def fetch_with_slot(session: aiohttp.ClientSession, pool, url: str) -> dict:
    """Fetch url while holding a slot from pool; always give the slot back."""
    slot = await pool.acquire()
    try:
        item = await fetch_json(session, url)
    except Exception:
        await pool.release(slot, "failed")
        raise
    await pool.release(slot, "ok")
    return item
