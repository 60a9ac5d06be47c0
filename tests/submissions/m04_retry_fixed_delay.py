# expect: 4.1 failed "did not grow"
async def fetch_with_retry(session, url, *, attempts=5, base_delay=0.1, max_delay=2.0,
                           attempt_timeout=1.0, deadline=10.0):
    # Waits, with jitter, but always up to the same limit: no exponential backoff.
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
            await asyncio.sleep(max(at_least, random.uniform(0, 2 * base_delay)))
