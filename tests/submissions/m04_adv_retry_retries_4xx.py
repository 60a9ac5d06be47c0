# expect: 4.1 failed "retried a 404"
# verdict: wrong
# clause: "any other 4xx (400, 404, ...) | **do not retry**: raise the `aiohttp.ClientResponseError` at once"
# defect: Retries every ClientResponseError whatever its status, so a 404 or 400 is requested `attempts` times before it is raised.
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
    async with asyncio.timeout(deadline):
        for attempt in range(1, attempts + 1):
            try:
                async with asyncio.timeout(attempt_timeout):
                    return await fetch_json(session, url)
            except aiohttp.ClientResponseError as exc:
                if attempt == attempts:
                    raise
                wait = retry_after(exc) if exc.status == 429 else 0.0
            except (TimeoutError, aiohttp.ClientConnectionError):
                if attempt == attempts:
                    raise
                wait = 0.0
            backoff = random.uniform(0, min(max_delay, base_delay * 2 ** (attempt - 1)))
            await asyncio.sleep(max(wait, backoff))
    raise AssertionError("unreachable")
