# expect: 4.3 failed "never got"
async def fetch_with_slot(session, pool, url):
    # acquire() inside the try: cancelled while waiting, the finally has no slot to release.
    outcome = "failed"
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
