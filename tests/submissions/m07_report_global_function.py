# expect: 7.2 failed "was called 0 times"
def make_report_api(build_report_fn: Callable[[int], dict[str, int]]) -> FastAPI:
    api = FastAPI()

    @api.get("/health")
    async def health() -> dict[str, bool]:
        return {"ok": True}

    @api.get("/report/{n}")
    def report(n: int) -> dict[str, int]:
        return build_report(n)  # the global build_report, not the one passed in

    return api
