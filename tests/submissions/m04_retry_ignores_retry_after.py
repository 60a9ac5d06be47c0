# expect: 4.1 failed "Retry-After-Ms"
async def fetch_with_retry(session, url, *, attempts=5, base_delay=0.1, max_delay=2.0,
                           attempt_timeout=1.0, deadline=10.0):
    # Retries a 429 like a 503: only its own backoff, whatever the server asked for.
    async with asyncio.timeout(deadline):
        for attempt in range(1, attempts + 1):
            try:
                async with asyncio.timeout(attempt_timeout):
                    return await fetch_json(session, url)
            except aiohttp.ClientResponseError as exc:
                if exc.status not in (408, 429, 500, 502, 503, 504):
                    raise
                error = exc
            except (TimeoutError, aiohttp.ClientConnectionError) as exc:
                error = exc
            if attempt == attempts:
                raise error
            await asyncio.sleep(random.uniform(0, min(max_delay, base_delay * 2 ** (attempt - 1))))
