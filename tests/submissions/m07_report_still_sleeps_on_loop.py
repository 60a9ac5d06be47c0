# expect: 7.2 failed "something else held the event loop"
def make_report_api(build_report: Callable[[int], dict[str, int]]) -> FastAPI:
    api = FastAPI()

    @api.get("/health")
    async def health() -> dict[str, bool]:
        return {"ok": True}

    @api.get("/report/{n}")
    async def report(n: int) -> dict[str, int]:
        time.sleep(0.1)  # "rate limiting" with a blocking sleep, on the loop's thread
        return await asyncio.to_thread(build_report, n)

    return api
