"""Web servers for lessons and checks from module 07 on: run an app, load it, measure it.

- ``ServerThread(app)``: serve an ``aiohttp.web.Application`` or an ASGI app (FastAPI) on
  127.0.0.1, a free port, from a thread with an event loop of its own (an app defined in a
  notebook cell works; a blocked endpoint does not freeze the caller's loop);
- ``ServerProcess("module:attribute", path=folder)``: the same from a child process (load
  tests: the server gets its own interpreter and core);
- ``run_load(url, concurrency=, requests=)``: closed-loop HTTP load with aiohttp, returning a
  ``LoadResult`` (latencies, statuses, throughput, p50/p99);
- ``probe(url, during=...)``: one request at a time while something else runs (a health
  check's latency under load).

Both servers work as ``with`` and ``async with`` blocks and are always stopped at the end;
see ``asynclab.web.server`` and ``asynclab.web.load`` for the details.
"""

from .load import LoadResult, Sample, probe, run_load
from .server import ServerProcess, ServerStuck, ServerThread

__all__ = ["LoadResult", "Sample", "ServerProcess", "ServerStuck", "ServerThread", "probe",
           "run_load"]
