# expect: 4.3 failed "It never got a slot, so there is nothing to release"
# verdict: wrong
# clause: "If the call is cancelled while it is still waiting for a free slot, **it has nothing to give back**."
# defect: acquire() sits inside the try, so a cancellation while waiting for a slot reaches the cancel handler with slot None, and pool.release(None, ...) raises ValueError instead of the CancelledError.
async def fetch_with_slot(session: aiohttp.ClientSession, pool, url: str) -> dict:
    """Fetch url while holding a slot from pool; always give the slot back."""
    slot = None
    try:
        slot = await pool.acquire()
        item = await fetch_json(session, url)
    except asyncio.CancelledError:
        await pool.release(slot, "cancelled")
        raise
    except Exception:
        await pool.release(slot, "failed")
        raise
    await pool.release(slot, "ok")
    return item
