# expect: 4.1 passed "every deadline kept"
# verdict: right
# clause: all satisfied
# defect: -
def _worth_retrying(exc: BaseException) -> bool:
    if isinstance(exc, aiohttp.ClientResponseError):
        return exc.status in (408, 429, 500, 502, 503, 504)
    return isinstance(exc, (TimeoutError, aiohttp.ClientConnectionError))


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
    # The outer timeout covers attempts and waits. When it fires during an attempt, the
    # inner timeout sees a plain cancellation (not its own), lets it through, and the outer
    # one turns it into TimeoutError: the `except` below never swallows the deadline.
    async with asyncio.timeout(deadline):
        retry = 0
        while True:
            try:
                async with asyncio.timeout(attempt_timeout):
                    return await fetch_json(session, url)
            except (aiohttp.ClientError, TimeoutError) as exc:
                retry += 1
                if not _worth_retrying(exc) or retry >= attempts:
                    raise
                pause = random.uniform(0, min(max_delay, base_delay * 2 ** (retry - 1)))
                if isinstance(exc, aiohttp.ClientResponseError) and exc.status == 429:
                    pause = max(pause, retry_after(exc))
            await asyncio.sleep(pause)
