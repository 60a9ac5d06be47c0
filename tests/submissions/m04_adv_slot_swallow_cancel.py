# expect: 4.3 failed "swallowed CancelledError"
# verdict: wrong
# clause: "the call was cancelled | `\"cancelled\"` | **let `CancelledError` propagate**"
# defect: Releases the slot as "cancelled" but then returns an empty dict instead of re-raising, so the cancelled task ends normally.
async def fetch_with_slot(session: aiohttp.ClientSession, pool, url: str) -> dict:
    """Fetch url while holding a slot from pool; always give the slot back."""
    slot = await pool.acquire()
    try:
        item = await fetch_json(session, url)
    except asyncio.CancelledError:
        await pool.release(slot, "cancelled")
        return {}
    except Exception:
        await pool.release(slot, "failed")
        raise
    await pool.release(slot, "ok")
    return item
