# expect: 4.3 failed "Use the `session` it is given"
async def fetch_with_slot(session, pool, url):
    # Ignores the session it is given and opens one per request.
    slot = await pool.acquire()
    outcome = "failed"
    try:
        async with aiohttp.ClientSession() as own:
            result = await fetch_json(own, url)
        outcome = "ok"
        return result
    except asyncio.CancelledError:
        outcome = "cancelled"
        raise
    finally:
        await pool.release(slot, outcome)
