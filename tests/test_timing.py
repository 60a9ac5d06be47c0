"""Tests for the timing experiments and plots (asynclab.timing)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from asynclab import timing  # noqa: E402
from asynclab.labservice import LabService  # noqa: E402


@pytest.fixture(scope="module")
def service() -> Iterator[LabService]:
    with LabService() as lab:
        yield lab


@pytest.fixture(scope="module")
def results(service: LabService) -> timing.Results:
    return asyncio.run(
        timing.compare(sizes=(1, 10), latency=0.1, workers=5, repeat=2, lab=service,
                       progress=False)
    )


def test_runners_return_every_item(service: LabService) -> None:
    urls = [service.url(f"/items/{i}", delay=0) for i in range(6)]
    expected = [{"id": i, "value": (i * 7919) % 1000, "delay": 0} for i in range(6)]
    assert timing.fetch_sync(urls) == expected
    assert timing.fetch_threads(urls, 3) == expected
    with ThreadPoolExecutor(2) as pool:
        assert timing.fetch_threads(urls, pool=pool) == expected
        assert timing.fetch_threads(urls[:2], pool=pool) == expected[:2]  # the pool stays open
    assert asyncio.run(timing.fetch_async(urls)) == expected
    assert asyncio.run(timing.fetch_async(urls, limit=2)) == expected


def test_compare_rows_and_ideal(results: timing.Results) -> None:
    assert [(kind, n) for kind, n, _ in results.rows] == [
        ("sync", 1), ("threads", 1), ("async", 1), ("sync", 10), ("threads", 10), ("async", 10)]
    assert results.kinds == ["sync", "threads", "async"] and results.sizes == [1, 10]
    assert results.ideal("sync", 10) == pytest.approx(1.0)
    assert results.ideal("threads", 10) == pytest.approx(0.2)  # 2 rounds of 5 workers
    assert results.ideal("async", 10) == pytest.approx(0.1)
    for kind, n, secs in results.rows:
        assert secs >= results.ideal(kind, n) * 0.95
        assert results.ratio(kind, n) == pytest.approx(secs / results.ideal(kind, n))
        assert len(results.runs[kind, n]) == 2 and secs == min(results.runs[kind, n])
    table = results.table()
    assert "ratio" in table and "best of 2" in table and table.count("\n") == len(results.rows)
    assert results.label("threads") == "threads (pool of 5)"


def test_pool_of_n_and_pools_closed(service: LabService) -> None:
    before = {t.name for t in threading.enumerate()}
    res = asyncio.run(timing.compare(sizes=(4, 12), latency=0.05, kinds=("threads", "threads_n"),
                                     workers=4, repeat=1, lab=service, progress=False))
    assert res.big_pool == 12 and res.label("threads_n") == "threads (pool of 12)"
    assert res.ideal("threads", 12) == pytest.approx(0.15)  # 3 rounds of 4 workers
    assert res.ideal("threads_n", 12) == pytest.approx(0.05)  # one round: a thread each
    assert res.seconds("threads_n", 12) < res.seconds("threads", 12)  # type: ignore[operator]
    with pytest.raises(ValueError):
        asyncio.run(timing.compare(repeat=0, lab=service, progress=False))
    for _ in range(50):  # the pools were shut down: their threads go away
        leftover = {t.name for t in threading.enumerate()} - before
        if not any(name.startswith("threads") for name in leftover):
            break
        threading.Event().wait(0.05)
    assert not any(name.startswith("threads") for name in leftover), leftover


def test_async_beats_sync(results: timing.Results) -> None:
    sync, fast = results.seconds("sync", 10), results.seconds("async", 10)
    assert sync is not None and fast is not None
    assert fast < 0.6 * sync


def test_sync_skipped_above_cap_and_floor(service: LabService) -> None:
    res = asyncio.run(timing.compare(sizes=(2, 30), latency=0.05, kinds=("sync", "async"),
                                     repeat=1, lab=service, progress=False, floor=True,
                                     sync_cap=1.0))
    assert res.seconds("sync", 30) is None
    assert [(k, n) for k, n, _ in res.skipped] == [("sync", 30)]
    assert res.seconds("async", 30) is not None
    assert sorted(res.floor) == [2, 30] and all(s > 0 for s in res.floor.values())
    assert "skipped" in res.table()
    assert asyncio.run(timing.compare(sizes=(2,), latency=0.05, kinds=("async",), limit=1,
                                      repeat=1, lab=service,
                                      progress=False)).ideal("async", 2) == 0.1
    with pytest.raises(ValueError):
        asyncio.run(timing.compare(kinds=("fork",), lab=service, progress=False))
    fig = timing.plot(res)
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert "sync (one by one) (skipped N ≥ 30)" in labels
    assert "async, zero latency (CPU floor)" in labels
    plt.close(fig)


def test_plot_has_labelled_axes_and_ideal_lines(results: timing.Results) -> None:
    fig = timing.plot(results, title="demo")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "N (requests)" and ax.get_ylabel() == "time (s)"
    assert ax.get_title() == "demo"
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert "threads (pool of 5)" in lines
    markers = set()
    for kind in ("sync", "threads", "async"):
        ideal, measured = lines[results.ideal_label(kind)], lines[results.label(kind)]
        assert ideal.get_linestyle() == "--"
        assert ideal.get_color() == measured.get_color() == timing.COLORS[kind]
        assert ideal.get_zorder() < measured.get_zorder()  # the ideal never hides the data
        markers.add(measured.get_marker())
        # The ideal is a step function of N: sampled at every N, drawn as steps.
        assert list(ideal.get_xdata()) == list(range(1, 11))
        assert list(ideal.get_ydata()) == pytest.approx([results.ideal(kind, n)
                                                         for n in range(1, 11)])
        assert ideal.get_drawstyle() == ("default" if kind == "sync" else "steps-post")
    assert len(markers) == 3  # told apart by shape, not only by hue
    assert lines["ideal: pool of 5"].get_ydata()[5] == pytest.approx(0.2)  # N=6, 5 workers
    assert "ideal: sync" in lines and "ideal: async" in lines
    assert "best of 2" in ax.get_title() or ax.get_title() == "demo"
    assert ax.get_legend() is not None
    plt.close(fig)

    _, ax2 = plt.subplots()
    assert timing.plot(results, ax=ax2) is ax2.figure
    plt.close(ax2.figure)
    bare = timing.plot(results, legend=False)
    assert bare.axes[0].get_legend() is None and bare.axes[0].get_lines()
    plt.close(bare)


def test_plot_in_flight(service: LabService) -> None:
    runs = []
    for limit in (None, 3):
        service.reset()
        urls = [service.url(f"/items/{i}", delay=0.3) for i in range(9)]
        asyncio.run(timing.fetch_async(urls, limit=limit))
        runs.append(service.stats())
    assert [s.peak() for s in runs] == [9, 3]
    fig = timing.plot_in_flight(runs, labels=["no limit", "limit 3"], limit=3)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "requests in flight" and "time" in ax.get_xlabel()
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["no limit", "limit 3", "limit = 3"]
    assert ax.get_lines()[2].get_zorder() < ax.get_lines()[1].get_zorder()  # limit behind data
    assert max(ax.get_lines()[0].get_ydata()) == 9
    plt.close(fig)
    single = timing.plot_in_flight(runs[1])
    assert [line.get_label() for line in single.axes[0].get_lines()] == ["in flight"]
    plt.close(single)
