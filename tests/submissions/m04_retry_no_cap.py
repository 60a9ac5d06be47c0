# expect: 4.1 failed "although max_delay was"
async def fetch_with_retry(session, url, *, attempts=5, base_delay=0.1, max_delay=2.0,
                           attempt_timeout=1.0, deadline=10.0):
    # Exponential backoff with jitter, but the limit is never capped at max_delay.
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
            limit = base_delay * 2 ** (attempt - 1)
            await asyncio.sleep(max(at_least, random.uniform(0, limit)))
