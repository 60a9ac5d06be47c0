# expect: 4.1 failed "raise the last error"
async def fetch_with_retry(session, url, *, attempts=5, base_delay=0.1, max_delay=2.0,
                           attempt_timeout=1.0, deadline=10.0):
    # When every attempt failed, it falls off the end of the loop and returns None.
    async with asyncio.timeout(deadline):
        for attempt in range(1, attempts + 1):
            try:
                async with asyncio.timeout(attempt_timeout):
                    return await fetch_json(session, url)
            except aiohttp.ClientResponseError as exc:
                if exc.status not in (408, 429, 500, 502, 503, 504):
                    raise
                at_least = retry_after(exc)
            except (TimeoutError, aiohttp.ClientConnectionError):
                at_least = 0.0
            if attempt < attempts:
                limit = min(max_delay, base_delay * 2 ** (attempt - 1))
                await asyncio.sleep(max(at_least, random.uniform(0, limit)))
