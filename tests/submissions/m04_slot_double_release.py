# expect: 4.3 failed "for a slot that was not taken"
async def fetch_with_slot(session, pool, url):
    # Releases in the except clause and again in the finally.
    slot = await pool.acquire()
    outcome = "failed"
    try:
        result = await fetch_json(session, url)
        outcome = "ok"
        return result
    except Exception:
        await pool.release(slot, "failed")
        raise
    except asyncio.CancelledError:
        outcome = "cancelled"
        raise
    finally:
        await pool.release(slot, outcome)
