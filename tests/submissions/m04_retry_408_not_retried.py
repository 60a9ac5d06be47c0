# expect: 4.1 failed "a 408 says the server gave up waiting"
async def fetch_with_retry(
    session: aiohttp.ClientSession,
    url: str,
    *,
    attempts: int = 5,
    base_delay: float = 0.1,
    max_delay: float = 2.0,
    attempt_timeout: float = 1.0,
    deadline: float = 10.0,
) -> dict:
    """GET url, retrying 5xx, 429, timeouts and dropped connections with jittered backoff."""
    async with asyncio.timeout(deadline):  # the total budget, waits included
        for attempt in range(1, attempts + 1):
            try:
                async with asyncio.timeout(attempt_timeout):  # the budget of one attempt
                    return await fetch_json(session, url)
            except aiohttp.ClientResponseError as exc:
                if exc.status not in (429, 500, 502, 503, 504):
                    raise  # a 408 is raised at once, although the server only gave up waiting
                error, at_least = exc, retry_after(exc)
            except (TimeoutError, aiohttp.ClientConnectionError) as exc:
                error, at_least = exc, 0.0
            if attempt == attempts:
                raise error
            limit = min(max_delay, base_delay * 2 ** (attempt - 1))
            await asyncio.sleep(max(at_least, random.uniform(0, limit)))
    ### END SOLUTION