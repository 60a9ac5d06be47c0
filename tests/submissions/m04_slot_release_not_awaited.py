# expect: 4.3 failed "Did you forget to `await pool.release(slot, outcome)`"
async def fetch_with_slot(session, pool, url):
    # pool.release(...) without await only creates a coroutine: the slot is never given back.
    slot = await pool.acquire()
    outcome = "failed"
    try:
        result = await fetch_json(session, url)
        outcome = "ok"
        return result
    except asyncio.CancelledError:
        outcome = "cancelled"
        raise
    finally:
        pool.release(slot, outcome)
