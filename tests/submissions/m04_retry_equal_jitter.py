# expect: 4.1 failed "Full jitter draws the whole wait between 0 and the limit"
async def fetch_with_retry(session, url, *, attempts=5, base_delay=0.1, max_delay=2.0,
                           attempt_timeout=1.0, deadline=10.0):
    # "Equal jitter": half the limit plus a random half, never a short wait.
    async with asyncio.timeout(deadline):
        for attempt in range(1, attempts + 1):
            try:
                async with asyncio.timeout(attempt_timeout):
                    return await fetch_json(session, url)
            except aiohttp.ClientResponseError as exc:
                if exc.status not in (408, 429, 500, 502, 503, 504):
                    raise
                error, at_least = exc, retry_after(exc)
            except (TimeoutError, aiohttp.ClientConnectionError) as exc:
                error, at_least = exc, 0.0
            if attempt == attempts:
                raise error
            limit = min(max_delay, base_delay * 2 ** (attempt - 1))
            await asyncio.sleep(max(at_least, limit / 2 + random.uniform(0, limit / 2)))
