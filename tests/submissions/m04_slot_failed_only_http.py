# expect: 4.3 failed "drops the connection) fetch_with_slot gave the slot back as ['ok']"
async def fetch_with_slot(session, pool, url):
    # Starts from "ok" and marks only HTTP errors as failed: a dropped connection counts as ok.
    slot = await pool.acquire()
    outcome = "ok"
    try:
        return await fetch_json(session, url)
    except aiohttp.ClientResponseError:
        outcome = "failed"
        raise
    except asyncio.CancelledError:
        outcome = "cancelled"
        raise
    finally:
        await pool.release(slot, outcome)
