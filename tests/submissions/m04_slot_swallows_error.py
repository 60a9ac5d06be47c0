# expect: 4.3 failed "it should let the aiohttp.ClientResponseError from fetch_json propagate"
async def fetch_with_slot(session, pool, url):
    # Records the failure, then returns None instead of letting the error propagate.
    slot = await pool.acquire()
    outcome = "failed"
    try:
        result = await fetch_json(session, url)
        outcome = "ok"
        return result
    except aiohttp.ClientError:
        return None
    except asyncio.CancelledError:
        outcome = "cancelled"
        raise
    finally:
        await pool.release(slot, outcome)
