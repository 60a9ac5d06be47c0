# expect: 6.2 failed "thread(s) running when it returned"
# task: 6.2
# verdict: wrong
# clause: "Shut your pool down before `blocking_map` returns ..., **so that no thread is left behind**"
# defect: Calls pool.shutdown(wait=False) (to avoid blocking the loop, as the lesson warned for `with` on a process pool), so the pool's threads are only told to exit and may still be running when the function returns.
async def blocking_map(fn: Callable[[Any], Any], items: list[Any], limit: int) -> list[Any]:
    """[fn(item) for item in items], run in threads, `limit` at a time."""
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(max_workers=limit, thread_name_prefix="blocking_map")
    try:
        futures = [loop.run_in_executor(pool, fn, item) for item in items]
        return list(await asyncio.gather(*futures))
    finally:
        pool.shutdown(wait=False)  # never block the event loop waiting for threads
