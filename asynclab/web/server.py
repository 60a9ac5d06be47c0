"""Run a web application on 127.0.0.1, on a free port, and always stop it.

Two ways, both usable as ``with`` or ``async with`` blocks (the async form starts and stops
the server in a worker thread, so the caller's event loop keeps running meanwhile)::

    from asynclab.web import ServerThread, ServerProcess

    with ServerThread(app) as server:            # app: aiohttp.web.Application, or ASGI (FastAPI)
        server.url("/health")                    # 'http://127.0.0.1:PORT/health'

    async with ServerProcess("lesson07_api:app", path=folder) as server:
        ...                                      # the app imported in a separate Python process

``ServerThread(app, *, factory=False, grace=2.0, start_timeout=10.0,
handler_cancellation=True, stop_timeout=None, name="web-server")`` serves ``app`` from a
thread with an event loop of its own: an app defined in a notebook cell works, and an endpoint that blocks its loop does not
freeze the caller's loop (it still shares the process and its GIL). ``factory=True``:
``app`` is a callable (sync or async) that returns the app, called on the server's loop.

``ServerProcess(target, *, path=None, factory=False, grace=2.0, start_timeout=20.0,
handler_cancellation=True, env=None)`` serves ``"module:attribute"`` from a child process
(``python -m asynclab.web``); ``path`` is a folder put first on the child's
``sys.path``. The right choice for load tests: the server has its own interpreter and
core. The child also exits when its parent goes away. ``server.output()`` is what the
child printed (stdout and stderr, after the ready line).

``ServerThread`` also has ``served_app`` (the app it served: what the factory made),
``loop`` (the server's event loop) and ``call(coro, timeout=5.0)`` (run a coroutine on that
loop from another thread, e.g. to look at the app's state; never from the server's loop).

Both: ``start()`` / ``stop()`` (idempotent; ``stop()`` also runs when ``start()`` fails),
``port``, ``base_url``, ``url(path, **query)``, ``running``. ``stop()`` shuts the app down
gracefully (aiohttp's cleanup, or the ASGI lifespan's shutdown) and waits up to ``grace``
seconds for requests in flight; then it cancels them. A server thread whose loop is stuck
(an endpoint that blocks for ever) cannot be stopped from outside: ``stop()`` then raises
``ServerStuck`` after ``stop_timeout`` s (default ``grace + 3``; a server process is
killed instead).

aiohttp applications run with ``handler_cancellation=True`` by default (a handler is
cancelled when its client disconnects, as under uvicorn), no access log, and a backlog of
1024. ASGI applications run on uvicorn (``http="h11"``, ``loop="asyncio"``, no access log,
warnings only, logging configuration left alone, no signal handlers in the caller).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import inspect
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

READY_PREFIX = "WEB READY port="
HOST = "127.0.0.1"

__all__ = ["ServerProcess", "ServerStuck", "ServerThread", "READY_PREFIX"]


class ServerStuck(RuntimeError):
    """The server's event loop did not stop in time (something blocks it)."""


def _is_aiohttp_app(app: Any) -> bool:
    try:
        from aiohttp import web
    except ImportError:  # pragma: no cover - aiohttp is a course dependency
        return False
    return isinstance(app, web.Application)


async def _make_app(app: Any, factory: bool) -> Any:
    if not factory:
        return app
    made = app()
    if inspect.isawaitable(made):
        made = await made
    return made


def _uvicorn_server(app: Any, grace: float) -> Any:
    import uvicorn

    class QuietServer(uvicorn.Server):
        """uvicorn without signal handlers: it runs inside someone else's process."""

        @contextlib.contextmanager
        def capture_signals(self):  # uvicorn >= 0.29
            yield

        def install_signal_handlers(self) -> None:  # older uvicorn
            pass

    config = uvicorn.Config(app, host=HOST, port=0, loop="asyncio", http="h11",
                            lifespan="auto", log_config=None, log_level="warning",
                            access_log=False, timeout_graceful_shutdown=max(1, round(grace)),
                            backlog=1024)
    return QuietServer(config)


async def _serve(app: Any, *, factory: bool, grace: float, handler_cancellation: bool,
                 started: Any, stop: asyncio.Event, made: Any = None) -> None:
    """Serve until `stop` is set; call started(port) once the port is open."""
    app = await _make_app(app, factory)
    if made is not None:
        made(app)
    if _is_aiohttp_app(app):
        from aiohttp import web

        runner = web.AppRunner(app, handler_cancellation=handler_cancellation, access_log=None,
                               shutdown_timeout=grace)
        await runner.setup()
        try:
            site = web.TCPSite(runner, HOST, 0, backlog=1024)
            await site.start()
            started(runner.addresses[0][1])
            await stop.wait()
        finally:
            await runner.cleanup()
        return

    server = _uvicorn_server(app, grace)
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if serving.done():
                serving.result()  # raises what went wrong (SystemExit on a failed startup)
                raise RuntimeError("the ASGI server stopped before it started")
            if stop.is_set():  # asked to stop while the app's startup has not ended
                return
            await asyncio.sleep(0.01)
        started(server.servers[0].sockets[0].getsockname()[1])
        await stop.wait()
    finally:
        server.should_exit = True
        if not server.started:
            serving.cancel()  # should_exit does not reach a lifespan stuck in its startup
        try:
            async with asyncio.timeout(grace + 2):
                await asyncio.shield(serving)
        except TimeoutError:
            server.force_exit = True
            serving.cancel()
        except asyncio.CancelledError:
            if not serving.cancelled():
                raise  # this coroutine itself was cancelled
        if not serving.done():
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                async with asyncio.timeout(2):
                    await serving


class _Base:
    port: int = 0

    @property
    def base_url(self) -> str:
        if not self.port:
            raise RuntimeError("the server is not running: call start() first")
        return f"http://{HOST}:{self.port}"

    def url(self, path: str = "/", **query: Any) -> str:
        if not path.startswith("/"):
            path = "/" + path
        if query:
            path += ("&" if "?" in path else "?") + urllib.parse.urlencode(query)
        return self.base_url + path

    def start(self) -> Any:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> Any:
        try:
            return await asyncio.to_thread(self.start)
        except BaseException:
            await asyncio.shield(asyncio.to_thread(self.stop))
            raise

    async def __aexit__(self, *exc: object) -> None:
        # shield: a cancelled caller still waits until the server has stopped
        await asyncio.shield(asyncio.to_thread(self.stop))


class ServerThread(_Base):
    """Serve an app from a thread that runs an event loop of its own (see the module doc)."""

    def __init__(self, app: Any, *, factory: bool = False, grace: float = 2.0,
                 start_timeout: float = 10.0, handler_cancellation: bool = True,
                 stop_timeout: float | None = None, name: str = "web-server") -> None:
        self.app, self.factory, self.grace = app, factory, grace
        self.stop_timeout = grace + 3 if stop_timeout is None else stop_timeout
        self.start_timeout, self.handler_cancellation, self.name = (
            start_timeout, handler_cancellation, name)
        self.port = 0
        self.error: BaseException | None = None
        self.served_app: Any = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and bool(self.port)

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The server's event loop (None before start)."""
        return self._loop

    def call(self, coro: Any, timeout: float = 5.0) -> Any:
        """Run a coroutine on the server's loop, from another thread; return its result."""
        if self._loop is None or not self.running:
            coro.close()
            raise RuntimeError("the server is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def _main(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()

            def started(port: int) -> None:
                self.port = port
                self._ready.set()

            def made(app: Any) -> None:
                self.served_app = app

            await _serve(self.app, factory=self.factory, grace=self.grace,
                         handler_cancellation=self.handler_cancellation,
                         started=started, stop=self._stop, made=made)

        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - reported by start()
            self.error = exc
        finally:
            self._ready.set()

    def start(self) -> ServerThread:
        if self._thread is not None:
            return self
        self._thread = threading.Thread(target=self._main, name=self.name, daemon=True)
        self._thread.start()
        try:
            if not self._ready.wait(self.start_timeout):
                raise RuntimeError(f"the server did not start within {self.start_timeout:g} s")
            if not self.port:
                why = self.error
                if isinstance(why, SystemExit):
                    raise RuntimeError("the app failed to start (its startup or lifespan raised; "
                                       "see the log above)") from None
                raise RuntimeError(f"the server failed to start: {why!r}") from why
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        thread = self._thread
        if thread is None:
            return
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(stop.set)
        thread.join(self.stop_timeout)
        if thread.is_alive():
            raise ServerStuck(
                f"the server's event loop did not stop within {self.stop_timeout:g} s: something "
                "blocks it (a blocking call in an async endpoint?). Its thread is left running; "
                "restart the kernel to get rid of it.")
        self._thread = None
        self.port = 0

    def __repr__(self) -> str:
        return f"<ServerThread {'port=' + str(self.port) if self.running else 'stopped'}>"


# ----------------------------------------------------------------------------- processes
class ServerProcess(_Base):
    """Serve "module:attribute" from a child Python process (see the module doc)."""

    def __init__(self, target: str, *, path: str | os.PathLike[str] | None = None,
                 factory: bool = False, grace: float = 2.0, start_timeout: float = 20.0,
                 handler_cancellation: bool = True, env: dict[str, str] | None = None) -> None:
        if ":" not in target:
            raise ValueError(f"target must be 'module:attribute', not {target!r}")
        self.target, self.path, self.factory, self.grace = target, path, factory, grace
        self.start_timeout, self.handler_cancellation = start_timeout, handler_cancellation
        self.env = env
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None and bool(self.port)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def output(self) -> str:
        """What the server process printed (stdout and stderr) after its ready line."""
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def start(self) -> ServerProcess:
        if self._proc is not None:
            return self
        package_root = str(Path(__file__).resolve().parent.parent.parent)
        env = {**os.environ, **(self.env or {}), "PYTHONUNBUFFERED": "1",
               "PYTHON_COLORS": "0", "NO_COLOR": "1"}
        paths = [str(Path(self.path).resolve())] if self.path is not None else []
        env["PYTHONPATH"] = os.pathsep.join([*paths, package_root,
                                             *filter(None, [env.get("PYTHONPATH")])])
        cmd = [sys.executable, "-m", "asynclab.web", self.target,
               "--grace", str(self.grace)]
        if self.factory:
            cmd.append("--factory")
        if not self.handler_cancellation:
            cmd.append("--no-handler-cancellation")
        self._log = tempfile.TemporaryFile()  # a file: a chatty child never blocks on a pipe
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=self._log, env=env)
        lines: queue.Queue[bytes] = queue.Queue()
        stdout = self._proc.stdout
        assert stdout is not None
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            try:
                line = lines.get(timeout=self.start_timeout).decode(errors="replace").strip()
            except queue.Empty:
                line = ""
            if not line.startswith(READY_PREFIX):
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._proc.wait(1 if not line else 0.01)  # stdout closed: it is exiting
                why = ("exited" if self._proc.returncode is not None
                       else f"printed {line!r} instead of its ready line" if line
                       else f"did not start within {self.start_timeout:g} s")
                self.stop()
                raise RuntimeError(f"the server process {why}. Its output:\n"
                                   f"{self.output()[-3000:]}")
            self.port = int(line.removeprefix(READY_PREFIX))
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Graceful shutdown (EOF on its stdin), then terminate, then kill."""
        proc = self._proc
        if proc is None:
            return
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        try:
            proc.wait(self.grace + 3)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._proc = None
        self.port = 0

    def close(self) -> None:
        """stop(), and forget the output."""
        self.stop()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    def __repr__(self) -> str:
        state = f"port={self.port} pid={self.pid}" if self.running else "stopped"
        return f"<ServerProcess {self.target} {state}>"


def _child_main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m asynclab.web",
                                     description="Serve module:attribute on 127.0.0.1, port 0.")
    parser.add_argument("target")
    parser.add_argument("--grace", type=float, default=2.0)
    parser.add_argument("--factory", action="store_true")
    parser.add_argument("--no-handler-cancellation", action="store_true")
    args = parser.parse_args(argv)
    ready = os.fdopen(os.dup(1), "w")  # the ready line goes to the parent's pipe;
    os.dup2(2, 1)  # all the app prints (at import, in its lifespan...) goes to the log
    module_name, _, attribute = args.target.partition(":")
    sys.path.insert(0, os.getcwd())
    app: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        app = getattr(app, part)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, stop.set)

        def watch_parent() -> None:
            """EOF on stdin (the parent stopped us, or died): shut down, or exit after grace."""
            with contextlib.suppress(OSError, ValueError):
                while sys.stdin.buffer.read1(4096):
                    pass
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stop.set)
            time.sleep(args.grace + 2)
            os._exit(3)  # the loop is stuck: leave anyway

        def started(port: int) -> None:
            ready.write(f"{READY_PREFIX}{port}\n")
            ready.close()
            threading.Thread(target=watch_parent, daemon=True).start()

        await _serve(app, factory=args.factory, grace=args.grace,
                     handler_cancellation=not args.no_handler_cancellation,
                     started=started, stop=stop)

    asyncio.run(main())
