# expect: 7.2 failed "or /health waited for a free thread"
# task: 7.2
# verdict: wrong
# clause: "`GET /health` answers `{"ok": true}` **at once**"
# defect: Makes every endpoint `def` and caps FastAPI's thread pool at 3 in the lifespan, so under 12 reports /health queues behind them for a free thread and is no longer answered at once.
import anyio.to_thread


def make_report_api(build_report: Callable[[int], dict[str, int]]) -> FastAPI:
    """/health and /report/{n}, with build_report run in a thread."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = 3  # keep the library's load small
        yield

    api = FastAPI(lifespan=lifespan)

    @api.get("/health")
    def health() -> dict[str, bool]:
        return {"ok": True}

    @api.get("/report/{n}")
    def report(n: int) -> dict[str, int]:
        return build_report(n)

    return api
