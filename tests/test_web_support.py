"""asynclab.web: servers on 127.0.0.1 that always stop, and the load generator."""

import asyncio
import contextlib
import socket
import textwrap
import threading
import time

import pytest
from aiohttp import web
from fastapi import FastAPI

from asynclab.web import ServerProcess, ServerStuck, ServerThread, probe, run_load


def port_is_closed(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) != 0


def server_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("web-server")]


def aiohttp_app(events: list[str]) -> web.Application:
    async def hello(request: web.Request) -> web.Response:
        return web.json_response({"hello": request.query.get("name", "world")})

    async def resources(app: web.Application):
        events.append("opened")
        yield
        events.append("closed")

    app = web.Application()
    app.router.add_get("/hello", hello)
    app.cleanup_ctx.append(resources)
    return app


def test_aiohttp_app_in_a_thread_starts_answers_and_stops():
    events: list[str] = []

    async def main():
        async with ServerThread(aiohttp_app(events)) as server:
            port = server.port

            async def routes() -> int:
                return len(server.served_app.router.routes())

            assert await asyncio.to_thread(server.call, routes()) >= 1
            result = await run_load(lambda i: server.url("/hello", name=i), concurrency=4,
                                    requests=20)
        return port, result

    port, result = asyncio.run(main())
    assert result.statuses == {200: 20} and result.count == 20 and result.concurrency == 4
    assert 0 < result.p50 <= result.p99 <= result.max_latency and result.throughput > 0
    assert events == ["opened", "closed"]
    assert port_is_closed(port) and not server_threads()


def test_fastapi_app_in_a_thread_with_lifespan_and_a_blocking_endpoint():
    events: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(app):
        events.append("startup")
        yield
        events.append("shutdown")

    api = FastAPI(lifespan=lifespan)

    @api.get("/health")
    async def health():
        return {"ok": True}

    @api.get("/block")
    async def block():
        time.sleep(0.2)  # noqa: ASYNC251 - blocks the server's loop, not the caller's
        return {"ok": True}

    async def main():
        with ServerThread(api) as server:
            ticks = 0

            async def ticker():
                nonlocal ticks
                while True:
                    await asyncio.sleep(0.01)
                    ticks += 1

            tick_task = asyncio.create_task(ticker())
            loaded = await probe(server.url("/health"), every=0.01,
                                 during=run_load(server.url("/block"), concurrency=2, requests=2))
            tick_task.cancel()
            return server.port, loaded, ticks

    port, checks, ticks = asyncio.run(main())
    assert events == ["startup", "shutdown"]
    assert checks.during.statuses == {200: 2}
    assert checks.ok == checks.count >= 1
    assert checks.max_latency > 0.1  # the health check waited for the blocked loop
    assert ticks >= 10  # the caller's loop kept running meanwhile
    assert port_is_closed(port) and not server_threads()


def test_a_factory_a_failed_startup_and_a_stuck_loop():
    async def make():
        return aiohttp_app([])

    with ServerThread(make, factory=True) as server:
        assert server.running
    assert not server_threads()

    @contextlib.asynccontextmanager
    async def broken(app):
        raise RuntimeError("no database")
        yield

    with pytest.raises(RuntimeError, match="failed to start"):
        ServerThread(FastAPI(lifespan=broken)).start()
    assert not server_threads()

    api = FastAPI()

    @api.get("/hang")
    async def hang():
        time.sleep(1.0)  # noqa: ASYNC251 - on purpose

    server = ServerThread(api, grace=0.1, stop_timeout=0.2).start()
    asyncio.run(run_load(server.url("/hang"), concurrency=1, requests=1,
                         request_timeout=0.1))
    with pytest.raises(ServerStuck, match="did not stop within 0.2 s"):
        server.stop()
    deadline = time.monotonic() + 5  # the endpoint returns; the thread then stops by itself
    while server_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not server_threads()


def test_server_process_serves_a_module_and_is_gone_after_stop(tmp_path):
    (tmp_path / "m07_probe_app.py").write_text(textwrap.dedent("""
        import os
        from fastapi import FastAPI

        print("imported", flush=True)  # before the ready line: must not get in its way
        app = FastAPI()

        @app.get("/pid")
        async def pid():
            print("served", flush=True)
            return {"pid": os.getpid()}
    """))

    async def main():
        async with ServerProcess("m07_probe_app:app", path=tmp_path) as server:
            pid = server.pid
            result = await run_load(server.url("/pid"), concurrency=3, requests=6)
            return server, pid, result

    server, pid, result = asyncio.run(main())
    assert result.statuses == {200: 6}
    assert "imported" in server.output() and "served" in server.output() and not server.running
    with pytest.raises(ProcessLookupError):
        import os

        os.kill(pid, 0)
    server.close()

    with pytest.raises(RuntimeError, match="exited"):
        ServerProcess("no_such_module_here:app", path=tmp_path).start()


def test_load_against_a_closed_port_records_failures():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = asyncio.run(run_load(f"http://127.0.0.1:{port}/", concurrency=2, requests=3))
    assert result.statuses == {0: 3} and sum(result.errors.values()) == 3
    assert result.throughput == 0 and result.ok == 0
