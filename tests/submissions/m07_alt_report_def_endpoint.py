# expect: 7.2 passed "none built on the event loop's thread"
def make_report_api(build_report: Callable[[int], dict[str, int]]) -> FastAPI:
    api = FastAPI()

    @api.get("/health")
    def health() -> dict[str, bool]:
        return {"ok": True}

    @api.get("/report/{n}")
    def report(n: int) -> dict[str, int]:  # plain def: FastAPI runs it in its thread pool
        return build_report(n)

    return api
