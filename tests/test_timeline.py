"""Tests for the task timeline (asynclab.timeline): what it records, the Chrome trace it
exports and the chart it draws. Times are asserted only with generous margins."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
import matplotlib
import pytest

matplotlib.use("Agg")

from asynclab.labservice import LabService  # noqa: E402
from asynclab.timeline import Timeline, timeline  # noqa: E402


def by_name(t: Timeline, name: str) -> list[Any]:
    return [rec for rec in t.tasks if rec.name == name]


async def ok(seconds: float = 0.01) -> str:
    await asyncio.sleep(seconds)
    return "ok"


async def boom() -> None:
    await asyncio.sleep(0.01)
    raise ValueError("boom")


async def forever() -> None:
    await asyncio.sleep(60)


def test_states_done_cancelled_failed_and_pending() -> None:
    async def main() -> tuple[Timeline, asyncio.Task[None]]:
        async with timeline(None) as t:
            done = asyncio.create_task(ok())
            failed = asyncio.create_task(boom())
            cancelled = asyncio.create_task(forever())
            left = asyncio.create_task(forever(), name="left running")
            await asyncio.sleep(0.05)
            cancelled.cancel()
            await asyncio.gather(done, failed, cancelled, return_exceptions=True)
        left.cancel()
        return t, left

    t, _ = asyncio.run(main())
    states = {rec.name: rec.state for rec in t.tasks}
    assert states == {"ok": "done", "boom": "failed", "forever": "cancelled", "left running": "pending"}
    failed = by_name(t, "boom")[0]
    assert failed.error == "ValueError: boom"
    for rec in t.tasks:
        assert t.start <= rec.created <= (rec.first_run or rec.created) <= (rec.end or t.end or 0) + 1e-9 or rec.end is None
        assert rec.running_intervals, f"{rec.name} never ran"
        assert rec.running_time < 0.5
    done = by_name(t, "ok")[0]
    assert 0.005 < done.end - done.first_run < 2  # it waited ~10 ms in between
    assert "pending" in t.summary() and "1 failed" in t.summary()


def test_the_factory_is_restored_also_on_error() -> None:
    def mine(loop: Any, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        return asyncio.Task(coro, loop=loop, **kwargs)

    async def main() -> tuple[Any, Any, Timeline]:
        loop = asyncio.get_running_loop()
        loop.set_task_factory(mine)
        t = timeline(None)
        with pytest.raises(KeyError):
            async with t:
                await asyncio.create_task(ok())
                raise KeyError("inside")
        inside = loop.get_task_factory()
        loop.set_task_factory(None)
        return inside, asyncio.events.Handle._run, t

    factory, run, t = asyncio.run(main())
    assert factory is mine
    assert run.__module__ == "asyncio.events"  # Handle._run unpatched
    assert [rec.state for rec in t.tasks] == ["done"]


def test_parents_and_nesting() -> None:
    async def child() -> None:
        await asyncio.sleep(0.01)

    async def parent() -> None:
        async with asyncio.TaskGroup() as tg:
            for _ in range(3):
                tg.create_task(child())

    async def main() -> tuple[Timeline, Timeline]:
        async with timeline(None) as outer:
            await asyncio.create_task(ok())
            with timeline(None) as inner:
                await asyncio.create_task(parent())
        return outer, inner

    outer, inner = asyncio.run(main())
    assert [r.name for r in inner.tasks] == ["parent", "child", "child", "child"]
    assert [r.name for r in outer.tasks] == ["ok", "parent", "child", "child", "child"]
    p = by_name(inner, "parent")[0]
    assert all(c.parent is p for c in by_name(inner, "child"))
    assert p.parent is None
    assert by_name(outer, "parent")[0] is p  # the same record in both
    assert all(r.state == "done" for r in outer.tasks)


def test_cancellation_travels_through_a_taskgroup() -> None:
    async def main() -> Timeline:
        async def group() -> None:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(forever(), name="sibling-1")
                tg.create_task(forever(), name="sibling-2")
                tg.create_task(boom())

        async with timeline(None) as t:
            with pytest.raises(ExceptionGroup):
                await asyncio.create_task(group())
        return t

    t = asyncio.run(main())
    states = {rec.name: rec.state for rec in t.tasks}
    assert states == {"group": "failed", "sibling-1": "cancelled", "sibling-2": "cancelled", "boom": "failed"}
    failed_at = by_name(t, "boom")[0].end
    for rec in by_name(t, "sibling-1") + by_name(t, "sibling-2"):
        assert failed_at <= rec.end < failed_at + 1.0  # cancelled right after the failure
    assert by_name(t, "group")[0].error.startswith("ExceptionGroup")


def test_a_blocked_loop_is_recorded() -> None:
    async def blocker() -> None:
        await asyncio.sleep(0.03)
        time.sleep(0.3)  # noqa: ASYNC251 (blocks the event loop on purpose)
        await asyncio.sleep(0.03)

    async def main() -> Timeline:
        async with timeline(None) as t:
            await asyncio.create_task(blocker())
        return t

    t = asyncio.run(main())
    assert t.blocked, "no blocked interval recorded"
    longest = max(b - a for a, b in t.blocked)
    assert 0.2 < longest < 3
    rec = t.tasks[0]
    step = max(rec.running_intervals, key=lambda iv: iv[1] - iv[0])
    assert step[1] - step[0] >= 0.29  # the task was running (not waiting) during the sleep
    a, b = max(t.blocked, key=lambda iv: iv[1] - iv[0])
    assert a < step[1] and step[0] < b  # and the blocked interval overlaps that step


def test_a_quiet_block_records_no_blocked_interval() -> None:
    async def main() -> Timeline:
        async with timeline(None, block_limit=0.2) as t:
            await asyncio.gather(ok(0.05), ok(0.1))
        return t

    t = asyncio.run(main())
    assert t.blocked == []


def test_lab_requests_are_attributed_to_their_tasks(svc: LabService) -> None:
    async def main() -> Timeline:
        async with aiohttp.ClientSession() as session:

            async def one(i: int) -> None:
                async with session.get(svc.url(f"/items/{i}", delay=0.05)) as resp:
                    await resp.json()

            async def hang() -> None:
                async with session.get(svc.url("/items/99", delay=5)) as resp:
                    await resp.json()

            async with timeline(svc) as t:
                await one(0)  # made by the block's own task: a row of its own
                await asyncio.gather(one(1), one(2))
                stuck = asyncio.create_task(hang())
                await asyncio.sleep(0.1)
                stuck.cancel()
                await asyncio.gather(stuck, return_exceptions=True)
        return t

    t = asyncio.run(main())
    paths = {r.path: r for r in t.requests}
    assert set(paths) == {"/items/0", "/items/1", "/items/2", "/items/99"}
    assert paths["/items/0"].task is None
    assert paths["/items/1"].task.name == "one" and paths["/items/2"].task.name == "one"
    assert paths["/items/1"].task is not paths["/items/2"].task
    assert paths["/items/99"].task.name == "hang"
    assert paths["/items/99"].outcome == "cancelled"
    assert paths["/items/1"].status == 200
    for r in t.requests:
        assert t.start <= r.start and r.end is not None
    assert by_name(t, "hang")[0].state == "cancelled"


def test_without_a_lab_service_the_client_side_requests_are_shown(svc: LabService) -> None:
    async def main() -> Timeline:
        async with aiohttp.ClientSession() as session, timeline(None) as t:

            async def one(i: int) -> None:
                async with session.get(svc.url(f"/items/{i}", delay=0.01)) as resp:
                    await resp.json()

            await asyncio.gather(one(1), one(2))
        return t

    t = asyncio.run(main())
    assert sorted(r.path for r in t.requests) == ["/items/1", "/items/2"]
    assert all(r.task is not None and r.task.name == "one" for r in t.requests)


def test_chrome_trace_format(tmp_path: Any) -> None:
    async def main() -> Timeline:
        async with timeline(None) as t:
            await asyncio.gather(ok(), boom(), return_exceptions=True)
        return t

    t = asyncio.run(main())
    path = tmp_path / "trace.json"
    t.to_chrome_trace(path)
    trace = json.loads(path.read_text())
    events = trace["traceEvents"]
    assert trace["displayTimeUnit"] in ("ms", "ns")
    for e in events:
        assert {"ph", "name", "pid", "tid"} <= e.keys()
        assert e["ph"] in ("X", "i", "M")
        if e["ph"] == "X":
            assert isinstance(e["ts"], (int, float)) and e["dur"] >= 0
        if e["ph"] == "i":
            assert e["s"] in ("t", "p", "g") and "ts" in e
    tasks = [e for e in events if e["ph"] == "X" and e["cat"] == "task"]
    assert sorted(e["name"] for e in tasks) == ["boom", "ok"]
    assert all(0 <= e["ts"] < 5e6 for e in tasks)  # microseconds since the start
    assert any(e["ph"] == "i" and e["name"].startswith("failed") for e in events)
    steps = [e for e in events if e.get("cat") == "step"]
    assert steps and all(e["pid"] == 1 for e in steps)
    # each step lies inside its task's span on the same track (Perfetto nests them)
    span = {e["tid"]: (e["ts"], e["ts"] + e["dur"]) for e in tasks}
    for e in steps:
        a, b = span[e["tid"]]
        assert a - 1 <= e["ts"] and e["ts"] + e["dur"] <= b + 1


def test_plot_one_row_per_task_with_markers() -> None:
    async def main() -> Timeline:
        async with timeline(None) as t:
            await asyncio.gather(ok(), boom(), ok(), return_exceptions=True)
        return t

    t = asyncio.run(main())
    fig = t.plot()
    ax = fig.axes[0]
    assert [label.get_text() for label in ax.get_yticklabels()] == ["ok", "boom", "ok"]
    assert "(s)" in ax.get_xlabel()
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "failed (exception)" in legend and "task running" in legend


def test_plot_summarises_beyond_the_row_limit(tmp_path: Any) -> None:
    async def worker(i: int) -> None:
        await asyncio.sleep(0.001 * (i % 7))

    async def main() -> Timeline:
        async with timeline(None) as t:
            await asyncio.gather(*(worker(i) for i in range(400)), *(ok() for _ in range(30)))
            task = asyncio.create_task(forever())
            await asyncio.sleep(0)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        return t

    t = asyncio.run(main())
    assert len(t.tasks) == 431
    fig = t.plot(max_rows=100)
    labels = [label.get_text() for label in fig.axes[0].get_yticklabels()]
    assert labels == ["worker ×400", "ok ×30", "forever ×1 (1 cancelled)"]
    fig.savefig(tmp_path / "summary.png")
    # under the limit: one row per task, fewer labels than rows
    fig = t.plot(max_rows=1000)
    assert 10 < len(fig.axes[0].get_yticklabels()) <= 45


def test_feedback_figure_draws_both() -> None:
    from asynclab.timeline import feedback_figure

    async def main() -> tuple[Timeline, Timeline]:
        async with timeline(None) as mine:
            for _ in range(3):
                await asyncio.create_task(ok())
        async with timeline(None) as expected:
            await asyncio.gather(*(ok() for _ in range(3)))
        return mine, expected

    mine, expected = asyncio.run(main())
    fig = feedback_figure(mine, expected, what="your tasks ran one at a time")
    assert len(fig.axes) == 2
    assert fig.axes[0].get_ylabel() == "your code" and fig.axes[1].get_ylabel() == "expected"


def test_needs_a_running_loop() -> None:
    with pytest.raises(RuntimeError, match="running event loop"), timeline(None):
        pass


def test_inside_the_check_machinery(svc: LabService, tmp_path: Any, monkeypatch: Any) -> None:
    """A timeline opened inside a check's task recorder (as CheckContext.run would, with
    timeline.py among the machinery's files that learner_tasks passes over) records the
    learner's tasks and requests, not the machinery's; the recorder still makes and sees the
    learner's tasks."""
    from asynclab import learner_tasks
    from asynclab.learner_tasks import _learner, _LearnerTask, _TaskRecorder
    from asynclab.loopwatch import LoopWatch
    from asynclab.timeline import feedback_figure, figure_html, reference_timeline

    here = learner_tasks.__file__.replace("learner_tasks.py", "timeline.py")
    monkeypatch.setattr(learner_tasks, "_MACHINERY", learner_tasks._MACHINERY | {here})

    async def fetch_all(n: int) -> None:  # the learner's: one request at a time
        async with aiohttp.ClientSession() as session:
            for i in range(n):
                async with session.get(svc.url(f"/items/{i}", delay=0.02)) as resp:
                    await resp.json()
            await asyncio.gather(ok(), ok())

    async def main() -> tuple[Timeline, list[Any]]:
        with _TaskRecorder() as recorder, timeline(None) as t, LoopWatch(runaway_after=5):
            token = _learner.set(True)
            try:
                learner = asyncio.ensure_future(fetch_all(3))
            finally:
                _learner.reset(token)
            await asyncio.wait({learner}, timeout=5)
        return t, recorder.tasks

    t, seen = asyncio.run(main())
    assert [rec.name for rec in t.tasks] == ["fetch_all", "ok", "ok"]
    assert len(seen) == 3 and all(isinstance(task, _LearnerTask) for task in seen)
    assert [r.path for r in t.requests] == ["/items/0", "/items/1", "/items/2"]
    assert all(r.task is t.tasks[0] for r in t.requests)
    fig = feedback_figure(t, reference_timeline(3, 0.02, name="fetch"), what="one at a time")
    assert figure_html(fig).startswith('<img alt="timeline" src="data:image/png;base64,')
    fig.savefig(tmp_path / "feedback.png")


def test_without_steps_only_lifetimes_are_recorded() -> None:
    async def main() -> tuple[Timeline, Any]:
        async with timeline(None, steps=False) as t:
            patched = asyncio.events.Handle._run
            await asyncio.gather(ok(), boom(), return_exceptions=True)
        return t, patched

    t, patched = asyncio.run(main())
    assert patched.__module__ == "asyncio.events"  # no step timing
    assert {rec.name: rec.state for rec in t.tasks} == {"ok": "done", "boom": "failed"}
    assert all(rec.runs == [] and rec.end is not None for rec in t.tasks)
    t.plot()
