# expect: 4.3 failed "not a global shared by the calls"
slot = None


async def fetch_with_slot(session, pool, url):
    # Keeps the slot in a global: calls running at the same time give back each other's slots.
    global slot
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
        await pool.release(slot, outcome)
