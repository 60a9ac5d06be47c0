# expect: 4.3 passed "nothing released"
async def fetch_with_slot(session, pool, url):
    # A valid alternative: one except BaseException clause that re-raises, outcome chosen by type.
    slot = await pool.acquire()
    try:
        result = await fetch_json(session, url)
    except BaseException as exc:
        await pool.release(slot, "cancelled" if isinstance(exc, asyncio.CancelledError) else "failed")
        raise
    await pool.release(slot, "ok")
    return result
