"""The course's local "internet": a small aiohttp web service with latency, faults and stats.

Start it in one line from a notebook, a check or a test::

    from asynclab.labservice import lab
    service = lab()                        # started once per process, stopped at exit
    service.url("/items/3", delay=0.2)     # 'http://127.0.0.1:PORT/items/3?delay=0.2'
    service.stats().peak_in_flight         # what the server saw

Endpoints: /items/{id}, /flaky/{id}, /status/{code}, /limited/{id}, /pages, /stream, /docs/{id}, /ws,
/ws/broadcast and /cpu; plus /_stats, /_reset, /_health and /_config, which are not recorded.

Why a separate process? If the server shared the kernel's event loop, a learner who blocks
that loop (time.sleep, a sync HTTP call) would deadlock: the request waits for a server that
cannot run. A server thread would compete with the learner's code for the GIL, so CPU-bound
code would distort every measured latency. A process answers whatever the kernel does, and
gives realistic throughput. It exits when its parent goes away, so nothing is left behind.

Run directly with ``python -m asynclab.labservice [--port 0] [--seed 0]``; the server stops
when its stdin is closed (Ctrl-D) or on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import json
import math
import os
import queue
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

READY_PREFIX = "LAB READY port="
START_TIMEOUT = 20.0
# Talk to 127.0.0.1 directly, even when http_proxy is set in the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# --------------------------------------------------------------------------- client side
@dataclass
class Stats:
    """What the server recorded. Times are the server's time.monotonic(), comparable with
    the client's time.monotonic() because that clock is system-wide."""

    now: float
    count: int
    in_flight: int
    peak_in_flight: int
    by_route: dict[str, int]
    by_path: dict[str, int]
    peak_by_route: dict[str, int]
    requests: list[dict[str, Any]] = field(repr=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Stats:
        return cls(**{f.name: data[f.name] for f in fields(cls)})

    def for_route(self, route: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["route"] == route]

    @property
    def cancelled(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["outcome"] == "cancelled"]

    def _events(self, route: str | None) -> list[tuple[float, int]]:
        records = self.requests if route is None else self.for_route(route)
        events = []
        for r in records:
            events.append((r["start"], 1))
            events.append((r["end"] if r["end"] is not None else self.now, -1))
        # At equal times an end comes before a start: touching requests do not overlap.
        return sorted(events)

    def in_flight_series(self, route: str | None = None) -> tuple[list[float], list[int]]:
        """Step series (times relative to the first start, in-flight count after each event)."""
        events = self._events(route)
        if not events:
            return [], []
        t0, level = events[0][0], 0
        times, counts = [0.0], [0]
        for t, delta in events:
            level += delta
            times.append(t - t0)
            counts.append(level)
        return times, counts

    def peak(self, route: str | None = None) -> int:
        """Largest number of requests in flight at once, computed from the records."""
        level = best = 0
        for _, delta in self._events(route):
            level += delta
            best = max(best, level)
        return best

    def max_concurrency_between(self, t0: float, t1: float, route: str | None = None) -> int:
        """Largest in-flight count during [t0, t1] (absolute monotonic times)."""
        level = best = 0
        for t, delta in self._events(route):
            if t > t1:
                break
            level += delta
            best = level if t < t0 else max(best, level)
        return best


class LabService:
    """Launcher and client for one server process."""

    def __init__(self, *, seed: int = 0) -> None:
        self.seed = seed
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: Any = None

    # ---- lifecycle
    def start(self) -> LabService:
        if self.alive:
            return self
        self.stop()
        package_root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        # stderr goes to a file, so a chatty child can never block on a full pipe. Its stdin
        # pipe is how it notices that we are gone (see _exit_with_parent).
        self._stderr = tempfile.TemporaryFile()
        cmd = [sys.executable, "-m", "asynclab.labservice", "--seed", str(self.seed)]
        self._proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, env=env
        )
        lines: queue.Queue[bytes] = queue.Queue()
        stdout = self._proc.stdout
        assert stdout is not None
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=START_TIMEOUT).decode(errors="replace").strip()
        except queue.Empty:
            line = ""
        if not line.startswith(READY_PREFIX):
            why = "exited" if self._proc.poll() is not None else f"timed out after {START_TIMEOUT}s"
            err = self._read_stderr()
            self.stop()
            raise RuntimeError(f"lab service failed to start ({why}). stdout: {line!r}\n{err}")
        self.port = int(line.removeprefix(READY_PREFIX))
        return self

    def _read_stderr(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")[-4000:]

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            for pipe in (proc.stdin, proc.stdout):
                if pipe is not None:
                    pipe.close()  # EOF on its stdin: the child exits by itself
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=2)
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def __enter__(self) -> LabService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"port={self.port}" if self.alive else "stopped"
        return f"<LabService {state} seed={self.seed}>"

    # ---- addresses
    @property
    def base_url(self) -> str:
        if not self.port:
            raise RuntimeError("the lab service is not started; call start() first")
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str, **query: Any) -> str:
        if not path.startswith("/"):
            path = "/" + path
        if query:
            path += ("&" if "?" in path else "?") + urllib.parse.urlencode(query)
        return self.base_url + path

    def ws_url(self, path: str = "/ws", **query: Any) -> str:
        return "ws" + self.url(path, **query).removeprefix("http")

    # ---- control endpoints
    def _call(self, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        method = "GET" if data is None else "POST"
        req = urllib.request.Request(self.url(path), data=data, method=method)
        req.add_header("Content-Type", "application/json")
        with _OPENER.open(req, timeout=10) as resp:
            return json.loads(resp.read())

    def stats(self, *, wait_idle: bool = True) -> Stats:
        return Stats.from_json(self._call(f"/_stats?wait_idle={int(wait_idle)}"))

    def reset(self) -> None:
        self._call("/_reset", {})

    def configure(self, **defaults: float) -> dict[str, float]:
        """Set default ``delay`` and ``jitter`` (seconds) for /items; returns the config."""
        return self._call("/_config", defaults)

    def health(self) -> dict[str, Any]:
        return self._call("/_health")


_LAB: LabService | None = None
_LAB_LOCK = threading.Lock()


def lab(*, seed: int = 0) -> LabService:
    """The per-process service: started on first call, restarted if it died or seed changed."""
    global _LAB
    with _LAB_LOCK:
        if _LAB is None or not _LAB.alive or _LAB.seed != seed:
            if _LAB is None:
                atexit.register(_stop_lab)
            else:
                _LAB.stop()
            _LAB = LabService(seed=seed).start()
        return _LAB


def _stop_lab() -> None:
    if _LAB is not None:
        _LAB.stop()


# --------------------------------------------------------------------------- server side
def _value(item_id: int) -> int:
    return (item_id * 7919) % 1000


def _route_of(path: str) -> str:
    return path.strip("/").split("/")[0] or "root"


def build_app(seed: int = 0) -> Any:
    """The aiohttp application (aiohttp is imported here so importing this module is cheap)."""
    from aiohttp import WSMsgType, web

    state: dict[str, Any] = {"config": {"delay": 0.1, "jitter": 0.0}, "in_flight": Counter()}
    idle = asyncio.Event()
    idle.set()
    listeners: set[web.WebSocketResponse] = set()

    def reset() -> None:  # requests still in flight stay counted, but are no longer recorded
        live = state["in_flight"]
        state.update(records=[], seq=0, peak=live.total(), peak_by_route=+live,
                     attempts=Counter(), buckets={})

    reset()

    def num(request: web.Request, name: str, default: float, lo: float = 0,
            hi: float = 3600) -> float:
        try:
            value = float(request.query.get(name, default))
        except ValueError:
            raise web.HTTPBadRequest(text=f"{name} must be a number") from None
        return min(max(value, lo), hi)

    def rng(request: web.Request, *parts: object) -> random.Random:
        """Deterministic randomness from the seed (query or server default) and parts."""
        return random.Random(":".join(map(str, (request.query.get("seed", seed), *parts))))

    def item(item_id: int, delay: float) -> dict[str, Any]:
        return {"id": item_id, "value": _value(item_id), "delay": round(delay, 6)}

    @web.middleware
    async def record(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/_"):
            return await handler(request)
        route, live = _route_of(request.path), state["in_flight"]
        state["seq"] += 1
        rec: dict[str, Any] = {
            "id": state["seq"], "method": request.method, "path": request.path, "route": route,
            "query": dict(request.query), "start": time.monotonic(), "end": None,
            "status": None, "outcome": None}
        request["record"] = rec
        state["records"].append(rec)
        live[route] += 1
        state["peak"] = max(state["peak"], live.total())
        state["peak_by_route"][route] = max(state["peak_by_route"].get(route, 0), live[route])
        idle.clear()
        try:
            resp = await handler(request)
            if rec["outcome"] is None:  # a dropped request sent no status
                rec["status"] = resp.status
            return resp
        except web.HTTPException as exc:
            rec["status"] = exc.status
            raise
        except asyncio.CancelledError:  # the client went away (handler_cancellation)
            rec["outcome"] = rec["outcome"] or "cancelled"
            raise
        except ConnectionError:  # the client went away while we were writing
            rec["outcome"] = rec["outcome"] or "cancelled"
            return web.Response(status=499)  # nobody reads it; keeps aiohttp's log quiet
        except Exception:
            rec["status"] = 500
            raise
        finally:
            rec["end"] = time.monotonic()
            if rec["outcome"] is None:
                rec["outcome"] = "error" if (rec["status"] or 500) >= 400 else "ok"
            live[route] -= 1
            if live.total() == 0:
                idle.set()

    async def items(request: web.Request) -> web.Response:
        """/items/{id}?delay=0.1&jitter=0&seed= : one item after delay + jitter seconds."""
        item_id = int(request.match_info["id"])
        delay = num(request, "delay", state["config"]["delay"])
        jitter = num(request, "jitter", state["config"]["jitter"])
        delay += rng(request, "items", item_id).random() * jitter
        await asyncio.sleep(delay)
        return web.json_response(item(item_id, delay))

    async def flaky(request: web.Request) -> web.Response:
        """/flaky/{id}?fail_rate=0.5&fault=500|timeout|drop|mix&delay=0.05&hang=30&seed=

        Attempt n at a path fails or not deterministically. Note that aiohttp's client
        retries a GET once by itself when the connection closes without an answer (drop),
        so the server then records two attempts."""
        item_id = int(request.match_info["id"])
        fail_rate = num(request, "fail_rate", 0.5, hi=1)
        delay, hang = num(request, "delay", 0.05), num(request, "hang", 30)
        fault = request.query.get("fault", "500")
        if fault not in ("500", "timeout", "drop", "mix"):
            raise web.HTTPBadRequest(text="fault must be 500, timeout, drop or mix")
        attempt = state["attempts"][request.path]
        state["attempts"][request.path] += 1
        draw = rng(request, "flaky", item_id, attempt)
        failed = draw.random() < fail_rate
        if failed and fault == "mix":
            fault = draw.choice(("500", "timeout", "drop"))
        if failed and fault == "timeout":
            await asyncio.sleep(hang)  # the client is expected to give up first
        await asyncio.sleep(delay)
        if failed and fault == "drop":
            request["record"]["outcome"] = "dropped"
            assert request.transport is not None
            request.transport.close()  # the client sees the connection close, no response
            return web.Response(status=499)
        if failed:
            body = {"error": "injected fault", "id": item_id, "attempt": attempt}
            return web.json_response(body, status=draw.choice((500, 503)))
        return web.json_response(item(item_id, delay) | {"attempt": attempt})

    async def status(request: web.Request) -> web.Response:
        """/status/{code}?delay=0 : answers with that status code."""
        code = int(request.match_info["code"])
        if not 200 <= code <= 599:
            raise web.HTTPBadRequest(text="code must be between 200 and 599")
        await asyncio.sleep(num(request, "delay", 0))
        if code in (204, 304):  # these may not have a body
            return web.Response(status=code)
        return web.json_response({"status": code}, status=code)

    async def limited(request: web.Request) -> web.Response:
        """/limited/{id}?rate=5&burst=1&key=default&delay=0 : token bucket per key."""
        item_id = int(request.match_info["id"])
        rate, burst = num(request, "rate", 5, lo=0.001), num(request, "burst", 1, lo=1)
        key, now = request.query.get("key", "default"), time.monotonic()
        tokens, last = state["buckets"].get(key, (burst, now))
        tokens = min(burst, tokens + (now - last) * rate)
        if tokens < 1:
            state["buckets"][key] = (tokens, now)
            wait = (1 - tokens) / rate
            headers = {"Retry-After": str(max(1, math.ceil(wait))),
                       "Retry-After-Ms": str(math.ceil(wait * 1000))}
            return web.json_response({"error": "rate limited", "retry_after": wait},
                                     status=429, headers=headers)
        state["buckets"][key] = (tokens - 1, now)
        delay = num(request, "delay", 0)
        await asyncio.sleep(delay)
        return web.json_response(item(item_id, delay))

    async def pages(request: web.Request) -> web.Response:
        """/pages?page=1&per_page=10&total=95&delay=0.05 : items 1..total, page by page."""
        page = int(num(request, "page", 1, lo=1, hi=1e9))
        per_page = int(num(request, "per_page", 10, lo=1, hi=1000))
        total, delay = int(num(request, "total", 95, hi=1e9)), num(request, "delay", 0.05)
        await asyncio.sleep(delay)
        ids = range((page - 1) * per_page + 1, min(page * per_page, total) + 1)
        nxt = f"/pages?page={page + 1}&per_page={per_page}&total={total}&delay={delay:g}"
        return web.json_response({
            "page": page, "items": [{"id": i, "value": _value(i)} for i in ids],
            "total": total, "next": nxt if page * per_page < total else None})

    async def stream(request: web.Request) -> web.StreamResponse:
        """/stream?lines=20&interval=0.05&width=40 : chunked text, one line per interval."""
        lines = int(num(request, "lines", 20, hi=100_000))
        width = int(num(request, "width", 40, hi=10_000))
        interval = num(request, "interval", 0.05)
        resp = web.StreamResponse(headers={"Content-Type": "text/plain; charset=utf-8"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        for i in range(lines):
            if i:
                await asyncio.sleep(interval)
            await resp.write(f"line {i}: {'x' * width}\n".encode())
        await resp.write_eof()
        return resp

    async def docs(request: web.Request) -> web.Response:
        """/docs/{id}?words=200&delay=0.05 : a plain-text document (asynclab.workloads.document)."""
        from asynclab.workloads import document

        doc_id = int(request.match_info["id"])
        words = int(num(request, "words", 200, hi=100_000))
        await asyncio.sleep(num(request, "delay", 0.05))
        return web.Response(text=document(doc_id, words))

    async def websocket(request: web.Request) -> web.WebSocketResponse:
        """/ws echoes text and binary messages; /ws/broadcast sends text to every listener."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        group = listeners if request.path == "/ws/broadcast" else {ws}
        group.add(ws)
        try:
            async for msg in ws:
                if msg.type == WSMsgType.BINARY:
                    await ws.send_bytes(msg.data)
                elif msg.type == WSMsgType.TEXT:
                    peers = [p for p in group if not p.closed]
                    await asyncio.gather(*(p.send_str(msg.data) for p in peers),
                                         return_exceptions=True)
        finally:
            group.discard(ws)
        return ws

    async def cpu(request: web.Request) -> web.Response:
        """/cpu?ms=50 : keeps this server's CPU busy (and its loop blocked) for ms."""
        ms = num(request, "ms", 50, hi=5000)
        end, spins = time.perf_counter() + ms / 1000, 0
        while time.perf_counter() < end:
            spins += 1
        return web.json_response({"ms": ms, "spins": spins})

    async def get_stats(request: web.Request) -> web.Response:
        if request.query.get("wait_idle", "0") not in ("0", "false", ""):
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(3):
                    await idle.wait()
        records = state["records"]
        return web.json_response({
            # time.monotonic() is system-wide on Linux, macOS and Windows, so the client can
            # compare these times with its own time.monotonic().
            "now": time.monotonic(), "count": len(records),
            "in_flight": state["in_flight"].total(), "peak_in_flight": state["peak"],
            "by_route": Counter(r["route"] for r in records),
            "by_path": Counter(r["path"] for r in records),
            "peak_by_route": state["peak_by_route"], "requests": records})

    async def post_reset(request: web.Request) -> web.Response:
        reset()
        return web.json_response({"ok": True})

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "pid": os.getpid(), "seed": seed})

    async def config(request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else {}
        try:
            update = {k: max(0.0, float(v)) for k, v in body.items() if k in state["config"]}
        except (TypeError, ValueError):
            raise web.HTTPBadRequest(text="settings must be numbers") from None
        if len(update) != len(body):
            raise web.HTTPBadRequest(text=f"known settings: {sorted(state['config'])}")
        state["config"].update(update)
        return web.json_response(state["config"])

    app = web.Application(middlewares=[record])
    for path, handler in [(r"/items/{id:\d+}", items), (r"/flaky/{id:\d+}", flaky),
                          (r"/status/{code:\d+}", status), (r"/limited/{id:\d+}", limited),
                          ("/pages", pages), ("/stream", stream), (r"/docs/{id:\d+}", docs),
                          ("/ws", websocket),
                          ("/ws/broadcast", websocket), ("/cpu", cpu), ("/_stats", get_stats),
                          ("/_health", health)]:
        app.router.add_get(path, handler)
    app.router.add_post("/_reset", post_reset)
    app.router.add_post("/_config", config)
    return app


def _exit_with_parent() -> None:
    """Exit when stdin reaches EOF: the launcher holds the other end, so this happens when
    it stops us or dies for any reason (even SIGKILL). Also exit if we get a new parent."""
    parent = os.getppid()

    def watch_stdin() -> None:
        while sys.stdin.buffer.read1(4096):
            pass
        os._exit(0)

    def watch_parent() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    if not sys.stdin.isatty():
        threading.Thread(target=watch_stdin, daemon=True).start()
    threading.Thread(target=watch_parent, daemon=True).start()


async def serve(port: int = 0, seed: int = 0) -> None:
    from aiohttp import web

    # handler_cancellation: a client that disconnects cancels its handler (recorded as
    # "cancelled"); no access log; a large backlog for bursts of new connections.
    runner = web.AppRunner(build_app(seed), handler_cancellation=True, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, backlog=1024).start()
    try:
        _exit_with_parent()
        print(f"{READY_PREFIX}{runner.addresses[0][1]}", flush=True)
        sys.stdout = sys.stderr  # nobody reads our stdout after the ready line
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m asynclab.labservice", description="Run the course's local web service.")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=0, help="default seed for jitter and faults")
    args = parser.parse_args(argv)
    try:
        asyncio.run(serve(args.port, args.seed))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
