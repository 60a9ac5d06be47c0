# expect: 4.3 failed "a request was made without holding a slot"
async def fetch_with_slot(session, pool, url):
    # Fetches first and takes the slot only to record the outcome: the pool limits nothing.
    outcome = "failed"
    try:
        result = await fetch_json(session, url)
        outcome = "ok"
        return result
    except asyncio.CancelledError:
        outcome = "cancelled"
        raise
    finally:
        slot = await pool.acquire()
        await pool.release(slot, outcome)
