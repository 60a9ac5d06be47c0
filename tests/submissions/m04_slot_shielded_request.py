# expect: 4.3 failed "were still running when"
async def fetch_with_slot(session, pool, url):
    # Shields the request: when cancelled, the request goes on in a task nobody stops.
    slot = await pool.acquire()
    outcome = "failed"
    try:
        result = await asyncio.shield(fetch_json(session, url))
        outcome = "ok"
        return result
    except asyncio.CancelledError:
        outcome = "cancelled"
        raise
    finally:
        await pool.release(slot, outcome)
