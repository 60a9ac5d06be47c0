# expect: 4.3 failed "tried to give one back"
async def fetch_with_slot(session, pool, url):
    # Starts with slot = None so the finally always runs, and then releases None.
    slot, outcome = None, "failed"
    try:
        slot = await pool.acquire()
        result = await fetch_json(session, url)
        outcome = "ok"
        return result
    except asyncio.CancelledError:
        outcome = "cancelled"
        raise
    finally:
        await pool.release(slot, outcome)
