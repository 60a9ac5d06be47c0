# expect: 4.3 failed "forget to `await pool.release"
async def fetch_with_slot(pool, url):
    # pool.release(...) without await only creates a coroutine: the slot is never given back.
    slot = await pool.acquire()
    outcome = "failed"
    try:
        async with aiohttp.ClientSession() as session:
            result = await fetch_json(session, url)
        outcome = "ok"
        return result
    except asyncio.CancelledError:
        outcome = "cancelled"
        raise
    finally:
        pool.release(slot, outcome)
