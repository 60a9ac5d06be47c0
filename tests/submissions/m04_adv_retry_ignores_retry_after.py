# expect: 4.1 failed "Wait at least as long as the server asks"
# verdict: wrong
# clause: "429 Too Many Requests | retry, but wait **at least** what the server asked: `retry_after(error)`"
# defect: Treats a 429 like a 5xx and sleeps only the jittered backoff, retrying before the Retry-After-Ms the server asked for.
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
        last_error: Exception | None = None
        for n in range(attempts):
            if n:
                await asyncio.sleep(random.uniform(0, min(max_delay, base_delay * 2 ** (n - 1))))
            try:
                async with asyncio.timeout(attempt_timeout):
                    return await fetch_json(session, url)
            except aiohttp.ClientResponseError as exc:
                if exc.status not in (408, 429, 500, 502, 503, 504):
                    raise
                last_error = exc
            except (TimeoutError, aiohttp.ClientConnectionError) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error
