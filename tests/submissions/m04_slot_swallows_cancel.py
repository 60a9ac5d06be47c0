# expect: 4.3 failed "swallowed CancelledError"
async def fetch_with_slot(session, pool, url):
    # Records the cancellation, then forgets to re-raise it: the function returns None.
    slot = await pool.acquire()
    outcome = "failed"
    try:
        result = await fetch_json(session, url)
        outcome = "ok"
        return result
    except asyncio.CancelledError:
        outcome = "cancelled"
    finally:
        await pool.release(slot, outcome)
