# expect: 7.2 failed "the reports took turns"
from concurrent.futures import ThreadPoolExecutor


def make_report_api(build_report: Callable[[int], dict[str, int]]) -> FastAPI:
    api = FastAPI()
    pool = ThreadPoolExecutor(max_workers=1)  # one thread: the reports take turns

    @api.get("/health")
    async def health() -> dict[str, bool]:
        return {"ok": True}

    @api.get("/report/{n}")
    async def report(n: int) -> dict[str, int]:
        return await asyncio.get_running_loop().run_in_executor(pool, build_report, n)

    return api
