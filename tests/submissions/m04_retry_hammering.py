# expect: 4.1 failed "retried without waiting"
async def fetch_with_retry(session, url, *, attempts=5, base_delay=0.1, max_delay=2.0,
                           attempt_timeout=1.0, deadline=10.0):
    # Retries the right failures and honours Retry-After, but otherwise at once: no backoff.
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
            await asyncio.sleep(at_least)
