# expect: 7.2 failed "ran on the event loop's thread"
def make_report_api(build_report: Callable[[int], dict[str, int]]) -> FastAPI:
    api = FastAPI()

    @api.get("/health")
    async def health() -> dict[str, bool]:
        return {"ok": True}

    @api.get("/report/{n}")
    async def report(n: int) -> dict[str, int]:
        return build_report(n)  # a blocking call in `async def`: on the loop's thread

    return api
