"""Tests for the local lab service (asynclab.labservice)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp
import pytest

from asynclab import labservice
from asynclab.labservice import LabService, Stats

ROOT = Path(__file__).resolve().parent.parent
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get_json(url: str) -> dict:
    with OPENER.open(url, timeout=10) as resp:
        return json.loads(resp.read())


def port_refuses(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) != 0


def pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    status = Path(f"/proc/{pid}/status")  # a zombie nobody reaps yet has exited too
    return status.exists() and "\nState:\tZ" in status.read_text()


async def fetch_all(urls: list[str], seconds: float = 10) -> list[dict]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=seconds)) as session:

        async def one(url: str) -> dict:
            async with session.get(url) as resp:
                return await resp.json()

        return await asyncio.gather(*(one(u) for u in urls))


def test_import_does_not_load_aiohttp() -> None:
    code = (
        "import sys, asynclab; before = set(sys.modules); import asynclab.labservice\n"
        "print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] == 'aiohttp'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_context_manager_start_and_clean_stop() -> None:
    with LabService(seed=1) as service:
        pid, port = service.pid, service.port
        assert service.alive and port > 0
        assert service.base_url == f"http://127.0.0.1:{port}"
        assert service.health()["pid"] == pid
        assert service.url("/items/3", delay=0.2) == f"http://127.0.0.1:{port}/items/3?delay=0.2"
        assert service.ws_url("/ws") == f"ws://127.0.0.1:{port}/ws"
    assert not service.alive
    assert pid is not None and pid_gone(pid)
    assert port_refuses(port)
    service.stop()  # idempotent


def test_items_json_and_stats_per_path(svc: LabService) -> None:
    for i in (1, 1, 2):
        body = get_json(svc.url(f"/items/{i}", delay=0))
        assert body == {"id": i, "value": (i * 7919) % 1000, "delay": 0}
    get_json(svc.url("/_health"))  # control endpoints are not recorded
    stats = svc.stats()
    assert stats.count == 3
    assert stats.by_path == {"/items/1": 2, "/items/2": 1}
    assert stats.by_route == {"items": 3}
    assert stats.peak_in_flight == 1 and stats.peak() == 1
    assert all(r["outcome"] == "ok" and r["status"] == 200 for r in stats.requests)


def test_peak_in_flight_concurrent_and_sequential(svc: LabService) -> None:
    urls = [svc.url(f"/items/{i}", delay=0.5) for i in range(10)]
    t0 = time.monotonic()
    asyncio.run(fetch_all(urls))
    t1 = time.monotonic()
    stats = svc.stats()
    assert stats.count == 10
    assert stats.peak_in_flight == 10 and stats.peak("items") == 10
    assert stats.peak_by_route == {"items": 10}
    # Server times use the same clock as ours.
    assert all(t0 <= r["start"] <= r["end"] <= t1 for r in stats.requests)
    assert stats.max_concurrency_between(t0, t1) == 10
    times, counts = stats.in_flight_series()
    assert times[0] == 0 and max(counts) == 10 and counts[-1] == 0
    assert times == sorted(times)

    svc.reset()
    for url in urls[:3]:
        get_json(url.replace("delay=0.5", "delay=0.05"))
    assert svc.stats().peak_in_flight == 1


def test_latency_is_honoured(svc: LabService) -> None:
    t0 = time.perf_counter()
    body = get_json(svc.url("/items/5", delay=0.3))
    elapsed = time.perf_counter() - t0
    assert 0.3 <= elapsed < 2.0
    assert body["delay"] == 0.3
    rec = svc.stats().requests[0]
    assert rec["end"] - rec["start"] >= 0.3


def test_configure_sets_default_delay(svc: LabService) -> None:
    try:
        assert svc.configure(delay=0.0)["delay"] == 0.0
        assert get_json(svc.url("/items/4"))["delay"] == 0
    finally:
        assert svc.configure(delay=0.1) == {"delay": 0.1, "jitter": 0.0}


def test_configure_rejects_unknown_settings(svc: LabService) -> None:
    with pytest.raises(urllib.error.HTTPError) as info:
        svc.configure(latency=1)
    assert info.value.code == 400
    with pytest.raises(urllib.error.HTTPError):
        svc.configure(delay="slow")  # type: ignore[arg-type]
    assert svc.configure() == {"delay": 0.1, "jitter": 0.0}


def test_jitter_is_deterministic_for_a_seed(svc: LabService) -> None:
    def delays(seed: int) -> list[float]:
        urls = [svc.url(f"/items/{i}", delay=0.01, jitter=0.1, seed=seed) for i in range(8)]
        return [body["delay"] for body in asyncio.run(fetch_all(urls))]

    first = delays(7)
    assert first == delays(7)
    assert first != delays(8)
    assert all(0.01 <= d <= 0.11 for d in first)
    assert len(set(first)) > 1


def test_fault_rate_matches_and_is_repeatable(svc: LabService) -> None:
    urls = [svc.url(f"/flaky/{i}", fail_rate=0.3, delay=0, seed=3) for i in range(200)]

    async def failures() -> set[int]:
        async with aiohttp.ClientSession() as session:

            async def one(i: int, url: str) -> bool:
                async with session.get(url) as resp:
                    return resp.status >= 500

            results = await asyncio.gather(*(one(i, u) for i, u in enumerate(urls)))
        return {i for i, failed in enumerate(results) if failed}

    first = asyncio.run(failures())
    assert 0.2 <= len(first) / 200 <= 0.4
    svc.reset()  # attempt counters start again at 0
    assert asyncio.run(failures()) == first
    # Without a reset every path is on its second attempt: another draw.
    third = asyncio.run(failures())
    assert third != first and 0.2 <= len(third) / 200 <= 0.4
    stats = svc.stats()
    assert stats.count == 400
    assert {r["query"]["fail_rate"] for r in stats.requests} == {"0.3"}


def test_each_fault_kind_is_what_the_client_sees(svc: LabService) -> None:
    async def scenario() -> None:
        timeout = aiohttp.ClientTimeout(total=0.5)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.get(svc.url("/flaky/1", fail_rate=1, fault=500)) as resp:
                assert resp.status in (500, 503)
                assert (await resp.json())["error"]
            with pytest.raises(aiohttp.ServerDisconnectedError):
                async with session.get(svc.url("/flaky/2", fail_rate=1, fault="drop")) as resp:
                    await resp.read()
            with pytest.raises(TimeoutError):
                async with session.get(svc.url("/flaky/3", fail_rate=1, fault="timeout")) as r:
                    await r.read()
            async with session.get(svc.url("/flaky/4", fail_rate=0)) as resp:
                assert resp.status == 200
                assert (await resp.json())["attempt"] == 0
            async with session.get(svc.url("/status/404")) as resp:
                assert resp.status == 404 and (await resp.json()) == {"status": 404}

    asyncio.run(scenario())
    outcomes = {r["path"]: r["outcome"] for r in svc.stats().requests}
    assert outcomes == {"/flaky/1": "error", "/flaky/2": "dropped", "/flaky/3": "cancelled",
                        "/flaky/4": "ok", "/status/404": "error"}


def test_mix_fault_is_deterministic(svc: LabService) -> None:
    def outcomes() -> list[str]:
        svc.reset()
        for i in range(12):
            try:
                get_json(svc.url(f"/flaky/{i}", fail_rate=1, fault="mix", delay=0, hang=0.05))
            except Exception:
                pass
        return [r["outcome"] for r in svc.stats().requests]

    first = outcomes()
    assert first == outcomes()
    assert {"error", "dropped"} <= set(first)


def test_rate_limit_answers_429_with_retry_after(svc: LabService) -> None:
    url = svc.url("/limited/1", rate=1, burst=2, key="test429")
    assert get_json(url)["id"] == 1
    assert get_json(url)["id"] == 1
    with pytest.raises(urllib.error.HTTPError) as info:
        get_json(url)
    assert info.value.code == 429
    assert info.value.headers["Retry-After"] == "1"
    assert 0 < int(info.value.headers["Retry-After-Ms"]) <= 1000
    time.sleep(int(info.value.headers["Retry-After-Ms"]) / 1000 + 0.05)
    assert get_json(url)["id"] == 1
    svc.reset()  # refills the buckets
    assert get_json(url)["id"] == 1


def test_pagination_walks_to_the_end(svc: LabService) -> None:
    page = get_json(svc.url("/pages", per_page=10, total=95, delay=0))
    ids, pages = [], 0
    while True:
        pages += 1
        assert page["total"] == 95
        ids += [item["id"] for item in page["items"]]
        if page["next"] is None:
            break
        page = get_json(svc.url(page["next"]))
    assert pages == 10
    assert ids == list(range(1, 96))
    assert page["items"][0] == {"id": 91, "value": (91 * 7919) % 1000}


def test_docs_serve_the_workloads_document(svc: LabService) -> None:
    from urllib.request import urlopen

    from asynclab.workloads import document, word_counts

    with urlopen(svc.url("/docs/7", words=35, delay=0)) as resp:
        text = resp.read().decode()
    assert text == document(7, 35) and text != document(8, 35)
    assert len(text.split()) == 35 and text.count("\n") == 4
    assert sum(word_counts(text).values()) == 35


def test_stream_yields_lines_over_time(svc: LabService) -> None:
    async def read() -> list[tuple[float, str]]:
        async with aiohttp.ClientSession() as session:
            async with session.get(svc.url("/stream", lines=5, interval=0.15, width=3)) as resp:
                assert resp.headers["Content-Type"].startswith("text/plain")
                return [(time.monotonic(), line.decode()) async for line in resp.content]

    got = asyncio.run(read())
    assert [line for _, line in got] == [f"line {i}: xxx\n" for i in range(5)]
    assert got[-1][0] - got[0][0] >= 0.3
    assert svc.stats().requests[0]["outcome"] == "ok"


def test_websocket_echo_and_broadcast(svc: LabService) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(svc.ws_url("/ws")) as ws:
                await ws.send_str("hello")
                assert await ws.receive_str() == "hello"
                await ws.send_bytes(b"\x00\x01")
                assert await ws.receive_bytes() == b"\x00\x01"
            url = svc.ws_url("/ws/broadcast")
            async with session.ws_connect(url) as a, session.ws_connect(url) as b:
                await a.send_str("to everyone")
                async with asyncio.timeout(5):
                    assert await a.receive_str() == "to everyone"
                    assert await b.receive_str() == "to everyone"

    asyncio.run(scenario())
    stats = svc.stats()
    assert stats.by_route == {"ws": 3}
    assert stats.by_path == {"/ws": 1, "/ws/broadcast": 2}


def test_cancelled_request_is_recorded(svc: LabService) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:

            async def slow() -> None:
                async with session.get(svc.url("/items/9", delay=5)) as resp:
                    await resp.read()

            task = asyncio.create_task(slow())
            for _ in range(250):  # until the server is working on it
                if (await asyncio.to_thread(svc.stats, wait_idle=False)).in_flight:
                    break
                await asyncio.sleep(0.02)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    t0 = time.monotonic()
    asyncio.run(scenario())
    stats = svc.stats()  # waits until the server has noticed
    assert time.monotonic() - t0 < 3
    assert [r["path"] for r in stats.cancelled] == ["/items/9"]
    assert stats.cancelled[0]["status"] is None and stats.in_flight == 0


def test_cpu_endpoint_and_unknown_paths(svc: LabService) -> None:
    t0 = time.perf_counter()
    assert get_json(svc.url("/cpu", ms=50))["ms"] == 50
    assert time.perf_counter() - t0 >= 0.05
    with pytest.raises(urllib.error.HTTPError) as info:
        get_json(svc.url("/nowhere"))
    assert info.value.code == 404
    assert svc.stats().by_route == {"cpu": 1, "nowhere": 1}


def test_reset_clears(svc: LabService) -> None:
    get_json(svc.url("/items/1", delay=0))
    assert svc.stats().count == 1
    svc.reset()
    stats = svc.stats()
    assert (stats.count, stats.peak_in_flight, stats.requests) == (0, 0, [])
    assert isinstance(stats, Stats) and stats.in_flight_series() == ([], [])


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_no_orphan_when_parent_is_killed() -> None:
    code = (
        "import time; from asynclab.labservice import LabService\n"
        "s = LabService().start(); print(s.pid, s.port, flush=True); time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert parent.stdout is not None and parent.stderr is not None
        line = parent.stdout.readline()
        if len(line.split()) != 2:
            parent.kill()
            pytest.fail(f"the parent did not start a service: {line!r}\n{parent.stderr.read()}")
        child_pid, port = map(int, line.split())
        assert not pid_gone(child_pid) and not port_refuses(port)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=5)
        # A zombie's other threads may still be closing its files: also wait for the port.
        deadline = time.monotonic() + 5
        while not (pid_gone(child_pid) and port_refuses(port)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pid_gone(child_pid)
        assert port_refuses(port)
    finally:
        parent.kill()
        parent.wait()
        for pipe in (parent.stdout, parent.stderr):
            if pipe is not None:
                pipe.close()


def test_lab_singleton_reuses_and_restarts() -> None:
    first = labservice.lab()
    try:
        assert labservice.lab() is first
        pid = first.pid
        first.stop()  # as if the process had died
        second = labservice.lab()
        assert second.alive and second.pid != pid
        assert get_json(second.url("/_health"))["ok"] is True
        assert labservice.lab() is second
    finally:
        labservice.lab().stop()

