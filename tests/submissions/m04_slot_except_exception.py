# expect: 4.3 failed "not given back once with outcome 'cancelled'"
async def fetch_with_slot(session, pool, url):
    # Cleans up in `except Exception`, which CancelledError (a BaseException) slips past.
    slot = await pool.acquire()
    try:
        result = await fetch_json(session, url)
    except Exception:
        await pool.release(slot, "failed")
        raise
    await pool.release(slot, "ok")
    return result
