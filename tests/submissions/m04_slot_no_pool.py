# expect: 4.3 failed "took 0 slot(s) from the pool"
async def fetch_with_slot(session, pool, url):
    # Never uses the pool at all.
    return await fetch_json(session, url)
