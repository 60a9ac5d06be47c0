# expect: 4.1 failed "the deadline must cancel the attempt in progress"
# verdict: wrong
# clause: "The whole call, **waits included**, ends within `deadline` seconds: then it raises `TimeoutError`."
# defect: Checks the elapsed time only before each attempt, so an attempt or a backoff sleep that starts just before the deadline runs past it.
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
    started = time.monotonic()
    last_error: Exception | None = None
    for n in range(attempts):
        if time.monotonic() - started > deadline:
            raise TimeoutError(f"gave up on {url} after {deadline} s")
        if n:
            delay = random.uniform(0, min(max_delay, base_delay * 2 ** (n - 1)))
            if isinstance(last_error, aiohttp.ClientResponseError) and last_error.status == 429:
                delay = max(delay, retry_after(last_error))
            await asyncio.sleep(delay)
        try:
            return await asyncio.wait_for(fetch_json(session, url), attempt_timeout)
        except aiohttp.ClientResponseError as exc:
            if exc.status not in (408, 429, 500, 502, 503, 504):
                raise
            last_error = exc
        except (TimeoutError, aiohttp.ClientConnectionError) as exc:
            last_error = exc
    assert last_error is not None
    raise last_error
