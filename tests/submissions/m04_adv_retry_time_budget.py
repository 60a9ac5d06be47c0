# expect: 4.1 passed "every deadline kept"
# verdict: right
# clause: all satisfied
# defect: -
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
    loop = asyncio.get_running_loop()
    give_up_at = loop.time() + deadline

    def left() -> float:
        return give_up_at - loop.time()

    last_error: BaseException | None = None
    for n in range(attempts):
        if n:  # retry number n: full-jitter backoff, at least the server's Retry-After
            pause = random.uniform(0, min(max_delay, base_delay * 2 ** (n - 1)))
            if isinstance(last_error, aiohttp.ClientResponseError):
                pause = max(pause, retry_after(last_error))
            if pause >= left():  # the deadline falls inside this wait
                await asyncio.sleep(max(0.0, left()))
                raise TimeoutError(f"{url}: deadline of {deadline} s reached") from last_error
            await asyncio.sleep(pause)
        budget = left()
        if budget <= 0:
            raise TimeoutError(f"{url}: deadline of {deadline} s reached") from last_error
        try:
            return await asyncio.wait_for(fetch_json(session, url), min(attempt_timeout, budget))
        except TimeoutError as exc:
            if budget < attempt_timeout:  # cut short by the deadline, not by attempt_timeout
                raise TimeoutError(f"{url}: deadline of {deadline} s reached") from exc
            last_error = exc
        except aiohttp.ClientConnectionError as exc:
            last_error = exc
        except aiohttp.ClientResponseError as exc:
            if exc.status not in (408, 429, 500, 502, 503, 504):
                raise  # 400, 404, ...: retrying will not help
            last_error = exc
    assert last_error is not None
    raise last_error
