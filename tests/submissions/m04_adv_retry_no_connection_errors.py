# expect: 4.1 failed "a dropped connection"
# verdict: wrong
# clause: "the connection broke (`aiohttp.ClientConnectionError`) | retry"
# defect: Retries HTTP errors and timeouts but not a dropped connection: ServerDisconnectedError propagates on the first drop.
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
        for n in range(1, attempts + 1):
            try:
                async with asyncio.timeout(attempt_timeout):
                    return await fetch_json(session, url)
            except aiohttp.ClientResponseError as exc:
                retryable = exc.status in (408, 429, 500, 502, 503, 504)
                if not retryable or n == attempts:
                    raise
                at_least = retry_after(exc) if exc.status == 429 else 0.0
            except TimeoutError:
                if n == attempts:
                    raise
                at_least = 0.0
            cap = min(max_delay, base_delay * 2 ** (n - 1))
            await asyncio.sleep(max(at_least, random.uniform(0, cap)))
    raise AssertionError("unreachable")
