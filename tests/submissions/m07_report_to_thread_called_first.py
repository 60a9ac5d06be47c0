# expect: 7.2 error "TypeError"
def make_report_api(build_report: Callable[[int], dict[str, int]]) -> FastAPI:
    api = FastAPI()

    @api.get("/health")
    async def health() -> dict[str, bool]:
        return {"ok": True}

    @api.get("/report/{n}")
    async def report(n: int) -> dict[str, int]:
        return await asyncio.to_thread(build_report(n))  # called here, on the loop, then a dict to a thread

    return api
