"""Checks for module 05: async resources, iterators and streams.

Each check drives the learner's code the way real callers would (a consumer that stops
early, a body that raises or is cancelled, concurrent requests, several network clients)
and judges what the lab service and the check's own observers saw: which pages were
requested and when, whether websockets were closed cleanly, when each streamed line was
handled, how much memory was held, which request id each log line carried.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import re
import socket
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import aiohttp
from hypothesis import strategies as st

from asynclab.checking import (
    CheckContext,
    CheckFailed,
    LearnerError,
    NotAttempted,
    describe_error,
    task,
)
from exercises_tests.helpers import examples, item_value, named


def _max_overlap(records: list[dict[str, Any]]) -> int:
    """How many of these requests were in flight at once, at most (server times)."""
    events = sorted(
        [(r["start"], 1) for r in records] + [(r["end"] or r["start"], -1) for r in records]
    )
    level = best = 0
    for _, delta in events:
        level += delta
        best = max(best, level)
    return best



async def _stats(ctx: CheckContext) -> Any:
    # stats() is a blocking HTTP call: run it in a thread so the event loop keeps going.
    return await asyncio.to_thread(ctx.lab.stats)


# --------------------------------------------------------------------------- 5.1 paginate
PER_PAGE, TOTAL = 10, 95
LAST_PAGE = -(-TOTAL // PER_PAGE)
OTHERS = [(1, 10, 0), (1, 10, 1), (1, 5, 20), (3, 4, 17)]  # (start page, per page, total)
INTERLEAVED = [(1, 3, 7), (2, 2, 9)]  # consumed in turns, one item from each


def _pages(stats: Any) -> list[int]:
    return [int(r["query"].get("page", 1)) for r in stats.for_route("pages")]


def _counting_session() -> tuple[aiohttp.ClientSession, list[str]]:
    """A session that notes every request made through it."""
    sent: list[str] = []

    async def on_start(session: Any, context: Any, params: Any) -> None:
        sent.append(str(params.url))

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_start)
    return aiohttp.ClientSession(trace_configs=[trace]), sent


def _describe_items(items: list[Any]) -> str:
    ids = [i.get("id") if isinstance(i, dict) else i for i in items]
    if len(ids) > 8:
        return f"{ids[:4]} ... {ids[-3:]}"
    return str(ids)


@task("5.1")
async def check_paginate(ctx: CheckContext) -> str:
    paginate = ctx.function(is_async=False)
    lab = ctx.lab
    url = lab.url("/pages", page=1, per_page=PER_PAGE, total=TOTAL, delay=0.05)

    if not inspect.isasyncgenfunction(paginate):
        if inspect.iscoroutinefunction(paginate):

            async def call_it() -> Any:  # the stub lands here: NotImplementedError
                async with aiohttp.ClientSession() as session:
                    return await paginate(session, url)

            result = await ctx.run(named(call_it(), "paginate"))
            raise CheckFailed(
                f"paginate is an `async def` that returns a value ({type(result).__name__}), not "
                "an async generator. Use `yield item` inside it, so the caller can consume the "
                "items with `async for` while the pages are fetched on demand."
            )
        raise CheckFailed(
            "paginate must be an async generator: `async def paginate(session, url):` with "
            "`yield` inside."
        )

    # 1. Everything, to the end.
    session, sent = _counting_session()

    async def consume_all() -> list[Any]:
        async with session:
            return [item async for item in paginate(session, url)]

    items = await ctx.run(named(consume_all(), "paginate"))
    stats = await _stats(ctx)
    pages = _pages(stats)
    ctx.expect(
        not items or all(isinstance(i, dict) and "id" in i for i in items),
        f"paginate yielded {str(items[0])[:80]}... : yield each item of a page "
        "(the dicts in `page['items']`), one at a time, not the pages.",
    )
    ctx.expect(
        [i["id"] for i in items] == list(range(1, TOTAL + 1)),
        f"paginate yielded {len(items)} items ({_describe_items(items)}); the listing has "
        f"{TOTAL} items, ids 1 to {TOTAL}, in that order. Follow each page's `next` link "
        "until it is null.",
    )
    ctx.expect(
        LAST_PAGE + 1 not in pages,
        f"paginate asked for page {LAST_PAGE + 1}, after the last page, whose `next` was null. "
        "Stop when `next` is None instead of looping until a page comes back empty.",
    )
    ctx.expect(
        pages == list(range(1, LAST_PAGE + 1)),
        f"The lab service was asked for pages {pages}; a full pass needs pages 1 to "
        f"{LAST_PAGE}, each once, in order.",
    )
    own = ctx.last.sessions
    ctx.expect(
        not own and len(sent) == len(pages),
        f"The lab service saw {len(pages)} page requests but only {len(sent)} of them went "
        "through the session passed to paginate"
        + (f" (paginate opened {own} ClientSession(s) of its own)" if own else "")
        + ". Use that session (`session.get(...)`) instead of opening your own: one session "
        "per job, shared by everything in it.",
    )

    # 2. A consumer that looks at the first items and stops early.
    lab.reset()
    session, sent = _counting_session()
    seen: dict[str, list[int]] = {}

    async def consume_some() -> list[Any]:
        got: list[Any] = []
        async with session:
            agen = paginate(session, url)
            try:
                async for item in agen:
                    got.append(item)
                    if len(got) in (3, PER_PAGE + 2):
                        # The consumer works on the item for a while: a request started in
                        # the background meanwhile has time to reach the lab service.
                        await asyncio.sleep(0.15)
                        seen[f"after {len(got)}"] = _pages(await _stats(ctx))
                    if len(got) == 25:
                        break
            finally:
                await agen.aclose()
            seen["closed"] = _pages(await _stats(ctx))
            await asyncio.sleep(0.3)  # time for any request still on its way
            seen["later"] = _pages(await _stats(ctx))
        return got

    got = await ctx.run(named(consume_some(), "paginate"))
    ctx.expect(
        [i["id"] for i in got] == list(range(1, 26)),
        f"A consumer that stopped after 25 items got {_describe_items(got)}.",
    )
    ctx.expect(
        seen["after 3"] == [1],
        f"When the consumer had taken only 3 items, the lab service had already been asked for "
        f"pages {seen['after 3']}: paginate fetched ahead. Fetch a page only when the consumer "
        "has used up the previous one: yield every item of a page before requesting the next "
        "(no gather over all pages, no list of everything first).",
    )
    ctx.expect(
        seen[f"after {PER_PAGE + 2}"] == [1, 2],
        f"After the consumer had taken {PER_PAGE + 2} items, the lab service had been asked for "
        f"pages {seen[f'after {PER_PAGE + 2}']}; expected [1, 2]: page 2 is needed for item "
        f"{PER_PAGE + 1}, nothing more.",
    )
    ctx.expect(
        seen["closed"] == [1, 2, 3] and seen["later"] == [1, 2, 3],
        "The consumer stopped after 25 items (pages 1 to 3) and closed the generator, but the "
        f"lab service saw requests for pages {seen['later']}. Once the consumer stops, paginate "
        "must not fetch anything else (no background prefetch left running).",
    )
    # 3. Other listings: empty, a single item, a last page that is full, a start past page 1.
    lab.reset()
    session, sent = _counting_session()
    got_by: dict[tuple[int, int, int], list[Any]] = {}

    def listing_url(start: int, per: int, total: int) -> str:
        return lab.url("/pages", page=start, per_page=per, total=total, delay=0)

    async def consume_others() -> None:
        async with session:
            for start, per, total in OTHERS:
                got_by[start, per, total] = [
                    item async for item in paginate(session, listing_url(start, per, total))
                ]
            # Two generators used in turns, item by item: each must keep its own place.
            gens = {key: paginate(session, listing_url(*key)) for key in INTERLEAVED}
            live = dict(gens)
            for key in gens:
                got_by[key] = []
            while live:
                for key, gen in list(live.items()):
                    try:
                        got_by[key].append(await anext(gen))
                    except StopAsyncIteration:
                        del live[key]

    await ctx.run(named(consume_others(), "paginate"))
    records = (await _stats(ctx)).for_route("pages")
    for (start, per, total), got in got_by.items():
        last = max(1, -(-total // per))
        asked = [int(r["query"].get("page", 1)) for r in records if int(r["query"].get("total", -1)) == total]
        listing = f"a listing of {total} item(s), {per} per page, starting at page {start}" + (
            " (consumed in turns with another listing)" if (start, per, total) in INTERLEAVED else ""
        )
        want = list(range((start - 1) * per + 1, total + 1))
        ids = [i.get("id") if isinstance(i, dict) else i for i in got]
        ctx.expect(
            ids == want,
            f"For {listing}, paginate yielded items {_describe_items(got)}; expected "
            f"{_describe_items(want)}. Start at the `url` you are given and follow `next` until "
            "it is null.",
        )
        ctx.expect(
            asked == list(range(start, last + 1)),
            f"For {listing}, the lab service was asked for pages {asked}; expected "
            f"{list(range(start, last + 1))}: stop when `next` is null, not when a page is "
            "short or empty.",
        )
    return (
        f"{TOTAL} items from {LAST_PAGE} pages, and {len(OTHERS) + len(INTERLEAVED)} other "
        "listings (empty, one item, a full last page, a start past page 1, two used in turns); "
        "each page fetched only when needed "
        "(1 page after 3 items, 2 after 12, 3 when the consumer stopped at 25)."
    )


# --------------------------------------------------------------------------- 5.2 open_channel
class _Room:
    """The check's own listener in the chat room: what it heard, and a way to wait for it."""

    def __init__(self) -> None:
        self.heard: list[str] = []
        self._news = asyncio.Condition()

    async def listen(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                async with self._news:
                    self.heard.append(msg.data)
                    self._news.notify_all()

    async def heard_within(self, text: str, within: float = 2.0) -> bool:
        try:
            async with asyncio.timeout(within), self._news:
                await self._news.wait_for(lambda: text in self.heard)
        except TimeoutError:
            return False
        return True


def _is_ws(obj: Any) -> bool:
    return isinstance(obj, aiohttp.ClientWebSocketResponse)


@task("5.2")
async def check_open_channel(ctx: CheckContext) -> str:
    open_channel = ctx.function(is_async=False)
    lab = ctx.lab
    url = lab.ws_url("/ws/broadcast")

    inner = getattr(open_channel, "__wrapped__", None)
    plain = inner if inner is not None and inspect.iscoroutinefunction(inner) else None
    if plain is None and inspect.iscoroutinefunction(open_channel):
        plain = open_channel
    if plain is not None:  # the stub, or a coroutine function without `yield`

        async def call_it() -> Any:
            async with aiohttp.ClientSession() as session:
                return await plain(session, url, "stub")

        await ctx.run(named(call_it(), "open_channel"))
        raise CheckFailed(
            "open_channel is a plain coroutine function (no `yield`), so it cannot be used in "
            "`async with`. Decorate it with @asynccontextmanager and `yield` the websocket "
            "between the set-up and the clean-up (or write a class with __aenter__/__aexit__)."
        )

    obs: dict[str, Any] = {}

    async def scenarios() -> None:
        room = _Room()
        async with aiohttp.ClientSession() as session:
            observer = await session.ws_connect(url)
            listener = asyncio.create_task(room.listen(observer))
            channels: list[Any] = []
            try:
                # A. a normal exit
                async with open_channel(session, url, "ada") as ws:
                    channels.append(ws)
                    obs["a_type"] = type(ws).__name__
                    obs["a_open"] = _is_ws(ws) and not ws.closed
                    obs["a_joined"] = await room.heard_within("ada joined")
                    if obs["a_open"]:
                        await ws.send_str("ada: hello")
                obs["a_closed"] = _is_ws(ws) and ws.closed
                obs["a_left"] = await room.heard_within("ada left")
                order = list(room.heard)
                obs["a_heard"] = order
                obs["a_left_last"] = (
                    "ada: hello" in order and order.index("ada: hello") < order.index("ada left")
                    if obs["a_left"] else False
                )
                if not (obs["a_open"] and obs["a_joined"]):
                    return
                # B. the body raises
                try:
                    async with open_channel(session, url, "bob") as ws:
                        channels.append(ws)
                        raise ValueError("raised by the check inside the async with block")
                except ValueError:
                    obs["b_raised"] = True
                else:
                    obs["b_raised"] = False
                obs["b_closed"] = ws.closed
                obs["b_left"] = await room.heard_within("bob left")
                # C. the task using the channel is cancelled
                entered = asyncio.Event()

                async def user() -> None:
                    async with open_channel(session, url, "cyd") as ws:
                        channels.append(ws)
                        entered.set()
                        await asyncio.sleep(30)

                job = asyncio.create_task(user())
                await asyncio.wait_for(entered.wait(), 5)
                await asyncio.sleep(0.05)
                job.cancel()
                done, _ = await asyncio.wait({job}, timeout=3)
                obs["c_finished"] = bool(done)
                obs["c_cancelled"] = job.cancelled()
                if not done:
                    job.cancel()
                    await asyncio.wait({job}, timeout=1)
                obs["c_closed"] = channels[-1].closed
                obs["c_left"] = await room.heard_within("cyd left")
                # D. two channels open at once, one inside the other
                async with open_channel(session, url, "eve") as outer:
                    channels.append(outer)
                    async with open_channel(session, url, "fay") as inner:
                        channels.append(inner)
                        obs["d_same"] = outer is inner
                    obs["d_inner_closed"] = _is_ws(inner) and inner.closed
                    obs["d_outer_open"] = _is_ws(outer) and not outer.closed
                    if obs["d_outer_open"]:
                        await outer.send_str("eve: still here")
                obs["d_closed"] = _is_ws(outer) and outer.closed and _is_ws(inner) and inner.closed
                obs["d_left"] = [
                    who for who in ("eve", "fay") if not await room.heard_within(f"{who} left")
                ]
            finally:
                for ws in channels:  # whatever the learner left open
                    if _is_ws(ws) and not ws.closed:
                        await ws.close()
                listener.cancel()
                await asyncio.gather(listener, return_exceptions=True)
                await observer.close()

    goodbye = (
        "Say goodbye before closing: once `ws.close()` has started (or the end of "
        "`async with session.ws_connect(...)` has closed it), nothing more can be sent. Send "
        "`f'{name} left'` first, then close (lesson 05, 'Websockets: messages in both "
        "directions')."
    )
    try:
        await ctx.run(named(scenarios(), "open_channel"))
    except LearnerError as exc:
        cause = exc.__cause__
        if isinstance(cause, (aiohttp.ClientConnectionError, ConnectionError)) and "clos" in str(cause):
            raise CheckFailed(f"{exc} {goodbye}", hint=goodbye) from cause
        raise
    ctx.expect(
        obs["a_type"] == "ClientWebSocketResponse",
        f"`async with open_channel(...) as ws` gave a {obs['a_type']}; it should give the "
        "websocket itself (what `await session.ws_connect(url)` returns).",
    )
    ctx.expect(obs["a_open"], "The websocket was already closed inside the `async with` block.")
    ctx.expect(
        obs["a_joined"],
        "Inside the `async with` block, the other listeners never heard 'ada joined'. Send "
        "f'{name} joined' (ws.send_str) after connecting, before you yield the websocket.",
    )
    ctx.expect(
        obs["a_closed"],
        "After a normal exit from `async with open_channel(...)`, the websocket was still open. "
        "Close it on the way out: `await ws.close()` (or let `async with session.ws_connect(url)` "
        "do it).",
    )
    ctx.expect(
        obs["a_left"],
        f"After a normal exit the listeners never heard 'ada left' (they heard {obs['a_heard']}). "
        "Send f'{name} left' after the body, before closing.",
    )
    ctx.expect(
        obs["a_left_last"],
        f"The listeners heard {obs['a_heard']}: 'ada left' must come after everything the body "
        "sent. Say goodbye after the `yield`, not before it.",
    )
    ctx.expect(
        obs["b_raised"],
        "The ValueError raised inside the `async with` block did not come out of it: "
        "open_channel swallowed it. Don't catch exceptions around `yield` without re-raising; "
        "a `finally` cleans up and lets them through.",
    )
    ctx.expect(
        obs["b_closed"] and obs["b_left"],
        "When the body of the `async with` raised ValueError, "
        + ("the websocket stayed open and " if not obs["b_closed"] else "")
        + "nobody heard 'bob left': the code after `yield` never ran. Put the clean-up in "
        "`try: yield ws` / `finally: ...` (or in nested `async with` blocks), so it runs "
        "however the body ends.",
    )
    ctx.expect(
        obs["c_finished"] and obs["c_cancelled"],
        "The task using open_channel was cancelled, but it "
        + (
            "did not stop within 3 s: does the clean-up wait for something that never comes, "
            "or catch the CancelledError and carry on?"
            if not obs["c_finished"]
            else "finished normally: open_channel swallowed the CancelledError."
        )
        + " Never catch CancelledError without re-raising it; `finally` runs on cancellation "
        "too.",
    )
    ctx.expect(
        obs["c_closed"] and obs["c_left"],
        "When the task using open_channel was cancelled, "
        + ("the websocket stayed open and " if not obs["c_closed"] else "")
        + "nobody heard 'cyd left'. Cancellation raises CancelledError at the `yield`; it is "
        "not an Exception, so `except Exception` misses it. Clean up in `finally`.",
    )
    ctx.expect(
        not obs["d_same"] and obs["d_inner_closed"] and obs["d_outer_open"],
        "With two channels open at once (fay's inside eve's), "
        + ("both `async with` blocks got the same websocket"
           if obs["d_same"]
           else "leaving fay's block "
           + ("did not close fay's websocket" if not obs["d_inner_closed"] else "")
           + (" and " if not obs["d_inner_closed"] and not obs["d_outer_open"] else "")
           + ("closed eve's websocket too" if not obs["d_outer_open"] else ""))
        + ". Each use of open_channel must have its own websocket: keep it in a local variable "
        "(or on the instance), not in a global or a class attribute shared by every channel.",
    )
    ctx.expect(
        obs["d_closed"] and not obs["d_left"],
        "With two channels open at once, "
        + (f"nobody heard {' or '.join(repr(w + ' left') for w in obs['d_left'])}" if obs["d_left"] else "")
        + (" and " if obs["d_left"] and not obs["d_closed"] else "")
        + ("a websocket stayed open" if not obs["d_closed"] else "")
        + " after both blocks had ended. Each use of open_channel must say its own goodbye and "
        "close its own websocket: keep it in a local variable (or on the instance), not in a "
        "global or a class attribute shared by every channel.",
    )
    stats = await _stats(ctx)
    channels = [r for r in stats.for_route("ws") if r["path"] == "/ws/broadcast"][1:]
    unclean = [r for r in channels if r["outcome"] != "ok"]
    ctx.expect(
        len(channels) == 5 and not unclean,
        f"The lab service saw {len(channels)} channel connections for 5 uses of open_channel, "
        f"{len(unclean)} of them not closed cleanly. Open one websocket per channel and close "
        "it with `await ws.close()`.",
    )
    return (
        "announced and closed on a normal exit, on an error (which still came out), on "
        "cancellation (which still cancelled the task) and with two channels open at once; "
        "5 websockets, all closed cleanly."
    )


# --------------------------------------------------------------------------- 5.3 count_lines
SLOW = {"lines": 12, "interval": 0.08, "width": 20}
BIG = {"lines": 400, "interval": 0, "width": 8000}


def _line(i: int, width: int) -> str:
    return f"line {i}: {'x' * width}"


@task("5.3")
async def check_count_lines(ctx: CheckContext) -> str:
    count_lines = ctx.function()
    lab = ctx.lab

    # 1. A slow stream: each line must be handled as it arrives.
    calls: list[tuple[Any, float]] = []

    def on_line(text: Any) -> None:
        calls.append((text, time.monotonic()))

    async def slow() -> Any:
        async with aiohttp.ClientSession() as session:
            return await count_lines(session, lab.url("/stream", **SLOW), on_line)

    n = await ctx.run(named(slow(), "count_lines"))
    stats = await _stats(ctx)
    expected = [_line(i, SLOW["width"]) for i in range(SLOW["lines"])]
    texts = [text for text, _ in calls]
    ctx.expect(
        len(texts) == len(expected),
        f"on_line was called {len(texts)} times for a stream of {len(expected)} lines: call it "
        "once per line.",
    )
    bad = next(((got, want) for got, want in zip(texts, expected, strict=True) if got != want), None)
    if bad is not None:
        got, want = bad
        advice = ""
        if isinstance(got, bytes):
            advice = " Decode each line to str (`line.decode()`)."
        elif isinstance(got, str) and got.rstrip("\r\n") == want:
            advice = " Strip the newline at the end (`.rstrip('\\n')`)."
        ctx.expect(False, f"on_line got {got!r}, expected {want!r}.{advice}")
    ctx.expect(
        n == len(expected),
        f"count_lines returned {n!r}; the stream had {len(expected)} lines.",
    )
    record = stats.for_route("stream")[0]
    first = calls[0][1]
    streamed = record["end"] - record["start"]
    ctx.expect(
        first < record["end"] - 0.3,
        f"The stream took {streamed:.2f} s to arrive, but on_line was first called only "
        f"{max(0.0, first - record['start']):.2f} s after it began: count_lines waited for the "
        "whole response. Handle each line as it arrives: `async for line in resp.content:` "
        "instead of `await resp.text()` or `resp.read()`.",
    )

    # 2. The smallest streams: no line at all, and a single line.
    for size in (0, 1):
        tiny_lines: list[Any] = []

        async def tiny(size: int = size, into: list[Any] = tiny_lines) -> Any:
            async with aiohttp.ClientSession() as session:
                url = lab.url("/stream", lines=size, interval=0, width=5)
                return await count_lines(session, url, into.append)

        got = await ctx.run(named(tiny(), "count_lines"))
        want_lines = [_line(i, 5) for i in range(size)]
        ctx.expect(
            got == size and tiny_lines == want_lines,
            f"For a stream of {size} line(s), count_lines returned {got!r} and called on_line with "
            f"{tiny_lines!r}; expected {size} and {want_lines!r}. Check for the end of the stream "
            "before handling a line (`async for` does that for you).",
        )

    # 3. A big, fast stream: exact line boundaries, bounded memory.
    width = BIG["width"]
    tally = {"calls": 0, "bad": 0, "example": None}

    def check_line(text: Any) -> None:  # keeps nothing: memory is measured
        i = tally["calls"]
        tally["calls"] += 1
        if not (isinstance(text, str) and len(text) == len(f"line {i}: ") + width
                and text.startswith(f"line {i}: ")):
            tally["bad"] += 1
            if tally["example"] is None:
                tally["example"] = f"{str(text)[:40]!r}... ({len(text)} characters)"

    async def big() -> tuple[Any, int]:
        async with aiohttp.ClientSession() as session:
            was_tracing = tracemalloc.is_tracing()
            if not was_tracing:
                tracemalloc.start()
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            try:
                result = await count_lines(session, lab.url("/stream", **BIG), check_line)
                return result, tracemalloc.get_traced_memory()[1] - before
            finally:
                if not was_tracing:
                    tracemalloc.stop()

    # Parsing 3 MB that arrive at full speed keeps a CPU busy legitimately, and reading lines
    # that are already buffered never waits, so the loop is held for a while (longer on a busy
    # machine). Busy-waiting and blocking are judged on the slow stream above, where the code
    # has nothing to do but wait.
    n, peak = await ctx.run(named(big(), "count_lines"), allow_busy=True, allow_blocking=True)
    size = sum(len(_line(i, width)) + 1 for i in range(BIG["lines"]))
    ctx.expect(
        n == BIG["lines"] and tally["calls"] == BIG["lines"] and not tally["bad"],
        f"On a fast stream of {BIG['lines']} long lines, count_lines returned {n!r} and called "
        f"on_line {tally['calls']} times, {tally['bad']} of them with a wrong line, e.g. "
        f"{tally['example']}. A chunk of bytes can end in the middle of a line: iterate over "
        "lines (`async for line in resp.content`), not over chunks.",
    )
    ctx.expect(
        peak < size / 2,
        f"count_lines held about {peak / 1e6:.1f} MB in memory at once for a "
        f"{size / 1e6:.1f} MB response: it kept the whole body, or all of its lines. Handle "
        "each line and let it go: no resp.text()/resp.read(), no list of lines.",
    )
    return (
        f"first line handled {first - record['start']:.2f} s into a {streamed:.2f} s stream; "
        f"{BIG['lines']} long lines ({size / 1e6:.1f} MB) counted holding at most "
        f"{peak / 1e6:.2f} MB."
    )


# --------------------------------------------------------------------------- 5.4 handle
REQUESTS = {"req-A": [1, 2, 3], "req-B": [4, 5], "req-C": [6, 7, 8, 9]}
DIRECT = ("req-D", [10, 11])
EMPTY = ("req-E", [])  # a request with no items: total 0, still a start and a done line
LINE = re.compile(r"^\[(?P<tag>[^\]]*)\] (?P<text>.*)$")
ITEM = re.compile(r"\bitem (\d+)\b")


@task("5.4")
async def check_handle(ctx: CheckContext) -> str:
    handle = ctx.function()
    var = ctx.namespace.get("request_id")
    lines = ctx.namespace.get("LOG")
    if not isinstance(var, contextvars.ContextVar) or not isinstance(lines, list):
        raise LearnerError(
            "This task needs `request_id` (a contextvars.ContextVar), `LOG` (a list) and `log` "
            "from the cell above `handle`: run that cell again (and do not rename them)."
        )
    ctx.lab.reset()
    owner = {i: rid for rid, ids in [*REQUESTS.items(), DIRECT] for i in ids}
    seen: dict[str, Any] = {}

    async def scenario() -> None:
        lines.clear()
        token = var.set("caller")
        try:
            seen["totals"] = await asyncio.gather(*(handle(r, ids) for r, ids in REQUESTS.items()))
            seen["direct"] = await handle(*DIRECT)
            seen["empty"] = await handle(*EMPTY)
            seen["after"] = var.get()
        finally:
            var.reset(token)
        seen["log"] = [str(line) for line in lines]

    await ctx.run(named(scenario(), "handle"))
    stats = await _stats(ctx)
    want = [sum(item_value(i) for i in ids) for ids in REQUESTS.values()]
    ctx.expect(
        list(seen["totals"]) == want and seen["direct"] == sum(item_value(i) for i in DIRECT[1]),
        f"handle returned {list(seen['totals'])} for {list(REQUESTS)}; expected the sum of the "
        f"items' values, {want}.",
    )
    ctx.expect(
        seen["empty"] == 0,
        f"handle('{EMPTY[0]}', []) returned {seen['empty']!r}; a request with no items totals 0.",
    )
    log = seen["log"]
    ctx.expect(log, "LOG stayed empty: call log(...) in handle, and fetch the items with fetch_item.")
    for line in log:
        m = LINE.match(line)
        ctx.expect(m, f"The log line {line!r} is not of the form '[request id] message': keep `log` as given.")
        tag, text = m["tag"], m["text"]
        item = ITEM.search(text)
        if item is None or int(item[1]) not in owner:
            continue
        rid = owner[int(item[1])]
        if tag == rid:
            continue
        if tag in owner.values():
            raise CheckFailed(
                f"The line {line!r} belongs to {rid} (item {item[1]} is one of its items) but is "
                f"tagged [{tag}]. The requests ran at the same time and overwrote each other's "
                "id: a global variable is shared by every task. Store the id in the ContextVar: "
                "`request_id.set(rid)`; every task sees its own value."
            )
        raise CheckFailed(
            f"The line {line!r} was logged while fetching an item of {rid}, but is tagged "
            f"[{tag}], not [{rid}]. A task copies the context when it is created: call "
            "`request_id.set(rid)` at the start of handle, before it creates its child tasks."
        )
    for rid, total in [*zip(REQUESTS, want, strict=True), (DIRECT[0], seen["direct"]), (EMPTY[0], 0)]:
        for text in ("start", f"done, total {total}"):
            count = log.count(f"[{rid}] {text}")
            word = text.split(",")[0]
            evidence = [line for line in log if word in line.split("] ", 1)[-1]]
            shown = "\n".join(evidence[:12]) if evidence else "(none)"
            ctx.expect(
                count == 1,
                f"LOG has {count} lines '[{rid}] {text}'; handle should log '{text}' once per "
                f"request, tagged with its id. The lines of LOG that contain {word!r}:\n{shown}",
            )
    ctx.expect(
        seen["after"] == "caller",
        f"After `await handle('{DIRECT[0]}', ...)` and `await handle('{EMPTY[0]}', [])` "
        "returned (awaited directly in the caller's own task), the caller's request_id was "
        f"{seen['after']!r} instead of 'caller': handle must put back the value it replaced. "
        "Keep the token: `token = request_id.set(rid)`, and `request_id.reset(token)` in a "
        "`finally`.",
    )
    biggest = max(REQUESTS, key=lambda r: len(REQUESTS[r]))
    paths = {f"/items/{i}" for i in REQUESTS[biggest]}
    overlap = _max_overlap([r for r in stats.for_route("items") if r["path"] in paths])
    ctx.expect(
        overlap >= 2,
        f"handle fetched the {len(paths)} items of {biggest} one at a time (at most {overlap} in "
        "flight). Fetch them concurrently, in child tasks (asyncio.TaskGroup or gather): the "
        "point of this task is that the id follows the request into them.",
    )
    return (
        f"{len(log)} log lines from 3 concurrent requests and their child tasks, each tagged "
        f"with its own request id (up to {overlap} items of {biggest} in flight at once); the "
        "caller's id was restored."
    )


# --------------------------------------------------------------------------- 5.5 handle_client
DIGITS = 300  # long whole numbers: big replies, so unsent replies pile up quickly
FLOOD = 600  # commands the flooding client sends in one write without reading a reply
BACKLOG = 24_000  # bytes of unsent replies that only a handler which never drains reaches


async def _reply(reader: asyncio.StreamReader, within: float = 2.0) -> str | None:
    """The next line from the server, '' at end of stream, None if nothing came in time.

    Short attempts, counted rather than timed as a whole: a server stuck in a busy loop
    holds the event loop (and so every timeout) for seconds, and a line that arrived
    meanwhile must still be picked up by the next attempt."""
    for _ in range(round(within / 0.1)):
        try:
            async with asyncio.timeout(0.1):
                return (await reader.readline()).decode(errors="replace")
        except TimeoutError:
            continue
        except (ConnectionError, ValueError):
            return ""
    return None


async def _eof(reader: asyncio.StreamReader, within: float = 2.0) -> tuple[bool, str]:
    """(whether the server closed the connection in time, the first line it sent instead)."""
    line = await _reply(reader, within)
    return line == "", (line or "")


async def _small_window_connection(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A client whose receive buffer is small, so that replies it does not read stay with the
    server (in its write buffer) instead of piling up in the client's socket."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    try:
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    except BaseException:
        sock.close()
        raise
    return await asyncio.open_connection(sock=sock)


class _Served:
    """What the check saw of one connection on the server side."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.port = writer.get_extra_info("peername")[1]
        self.lost = False  # connection_lost has run: the connection is really closed
        self.lost_at_return: bool | None = None  # ... when handle_client returned
        self.peak_unsent = 0
        protocol = writer.transport.get_protocol()
        original = protocol.connection_lost

        def connection_lost(exc: BaseException | None) -> None:
            self.lost = True
            original(exc)

        protocol.connection_lost = connection_lost  # type: ignore[method-assign]

    def unsent(self) -> int:
        size = self.writer.transport.get_write_buffer_size()
        self.peak_unsent = max(self.peak_unsent, size)
        return size


@task("5.5")
async def check_handle_client(ctx: CheckContext) -> str:
    handle_client = ctx.function()
    crashes: list[BaseException] = []
    handlers: set[asyncio.Task[Any]] = set()
    served: dict[int, _Served] = {}  # by the client's port

    async def guarded(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handlers.add(asyncio.current_task())  # type: ignore[arg-type]
        # Small buffers: a handler that writes in a loop without ever waiting is held back
        # after a few KB, instead of stalling the event loop while it fills megabytes.
        with contextlib.suppress(OSError, AttributeError):
            writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
            writer.transport.set_write_buffer_limits(high=4096)
        seen = served[writer.get_extra_info("peername")[1]] = _Served(writer)
        try:
            await handle_client(reader, writer)
            seen.lost_at_return = seen.lost
        except Exception as exc:  # reported below; the connection is closed so the client sees it
            crashes.append(exc)
            writer.close()

    def crashed(command: str) -> None:
        if not crashes:
            return
        exc = crashes[0]
        if isinstance(exc, NotImplementedError):
            raise NotAttempted(
                "handle_client() still raises NotImplementedError: replace the stub "
                "(`# YOUR CODE HERE` / `raise NotImplementedError`) with your code."
            )
        raise CheckFailed(
            f"handle_client crashed with {describe_error(exc)} after the client sent "
            f"{command!r}. Answer a bad command with a line starting `ERR` and keep serving the "
            "connection."
        )

    def no_reply(command: str) -> CheckFailed:
        return CheckFailed(
            f"For {command!r} the server sent no reply line within 2 s. End every reply "
            "with a newline (readline() waits for one) and `await writer.drain()` after "
            "writing."
        )

    async def ask(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, command: str,
                  check: Callable[[str], bool], want: str) -> None:
        writer.write(command.encode() + b"\n")
        await writer.drain()
        reply = await _reply(reader)
        crashed(command)
        if reply is None:
            raise no_reply(command)
        if reply == "":
            raise CheckFailed(f"For {command!r} the server closed the connection instead of answering {want!r}.")
        ctx.expect(
            check(reply.rstrip("\r\n")),
            f"For {command!r} the server answered {reply!r}; expected {want!r}.",
        )

    def equals(text: str) -> Callable[[str], bool]:
        return lambda got: got.strip() == text

    def is_error(got: str) -> bool:
        return got.startswith("ERR")

    framing = (
        "TCP delivers a stream of bytes, not messages: one read() can return several lines, "
        "or part of one. Read one line at a time with `await reader.readline()` (lesson 05, "
        "'Framing on raw TCP')."
    )

    async def replies(reader: asyncio.StreamReader, n: int, sent: str) -> list[str]:
        got: list[str] = []
        while len(got) < n:
            line = await _reply(reader)
            crashed(sent)
            if not line:
                break
            got.append(line.rstrip("\r\n"))
        return got

    # Commands sent together in one write (the numbers are drawn once, the same every run).
    together = [list(nums) for nums in examples(
        st.lists(st.integers(-10**6, 10**6), min_size=1, max_size=5), 6)]

    async def talk() -> None:
        server = await asyncio.start_server(guarded, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        writers: list[asyncio.StreamWriter] = []
        try:
            # A connects first and stays quiet: B must be served meanwhile.
            a_reader, a_writer = await asyncio.open_connection("127.0.0.1", port)
            b_reader, b_writer = await asyncio.open_connection("127.0.0.1", port)
            writers += [a_writer, b_writer]
            await ask(b_reader, b_writer, "ADD 2 3 4", equals("9"), "9")
            await ask(b_reader, b_writer, "ADD 10 -3", equals("7"), "7")
            await ask(b_reader, b_writer, "HELLO", is_error, "ERR ... (unknown command)")
            await ask(b_reader, b_writer, "ADD 1 x", is_error, "ERR ... (not a whole number)")
            await ask(b_reader, b_writer, "", is_error, "ERR ... (an empty line is not a command)")

            # Several commands in one write: one reply each, in order.
            for batch in ([[1, 2], [3, 4]], together):
                commands = [f"ADD {' '.join(map(str, nums))}" for nums in batch]
                wanted = [str(sum(nums)) for nums in batch]
                data = "".join(f"{c}\n" for c in commands).encode()
                b_writer.write(data)
                await b_writer.drain()
                got = await replies(b_reader, len(commands), f"{len(commands)} commands in one write")
                shown = repr(data) if len(data) <= 60 else f"{data[:40]!r}..."
                ctx.expect(
                    [g.strip() for g in got] == wanted,
                    f"The client sent {len(commands)} commands in one write, {shown}, and the "
                    f"server answered {got}; expected one reply per line, {wanted}. {framing}",
                    hint=framing,
                )

            # One command split over two writes, with a pause between them.
            b_writer.write(b"AD")
            await b_writer.drain()
            early = await _reply(b_reader, within=0.3)
            crashed("AD")
            ctx.expect(
                early is None,
                f"The client sent 'ADD 5 6' in two parts, b'AD', then a pause before b'D 5 6\\n'; "
                f"the server answered {early!r} to the first part without waiting for the end of "
                "the line. "
                f"{framing}",
                hint=framing,
            )
            b_writer.write(b"D 5 6\n")
            await b_writer.drain()
            reply = await _reply(b_reader)
            crashed("ADD 5 6 (sent in two parts)")
            if reply is None:
                raise no_reply("ADD 5 6 (sent in two parts, b'AD' then b'D 5 6\\n')")
            ctx.expect(
                reply.strip() == "11",
                f"The client sent 'ADD 5 6' in two parts, b'AD' then b'D 5 6\\n', and the server "
                f"answered {reply!r}; expected '11'. {framing}",
                hint=framing,
            )

            await ask(b_reader, b_writer, "QUIT", equals("BYE"), "BYE")
            closed, extra = await _eof(b_reader)
            ctx.expect(
                closed,
                "After `BYE` the connection stayed open"
                + (f" (the server even sent {extra!r})" if extra else "")
                + ": leave the loop and close it, `writer.close()` then "
                "`await writer.wait_closed()`, in a `finally` so that it also happens when "
                "something goes wrong.",
            )

            # A's turn: one command, then a last one without its newline, then end of input.
            await ask(a_reader, a_writer, "ADD 1 1", equals("2"), "2")
            a_writer.write(b"ADD 7 8")
            a_writer.write_eof()  # the client is done: the server reads b"" after that line
            last = await _reply(a_reader)
            crashed("ADD 7 8 (the last line, without a newline)")
            ctx.expect(
                last is not None and last.strip() == "15",
                "The client's last command, 'ADD 7 8', came without a newline just before the "
                "client closed its side; the server "
                + (f"answered {last!r}" if last else "closed the connection" if last == "" else "did not answer")
                + ", expected '15'. readline() returns such a last line without its b'\\n': "
                "answer it, then stop at b''.",
            )
            closed, extra = await _eof(a_reader)
            ctx.expect(
                not extra,
                f"After the client closed its side, the server kept answering ({extra!r}). "
                "readline() returns b'' when the client is done: leave the loop then and close "
                "the connection.",
            )
            crashed("(end of input)")
            ctx.expect(
                closed,
                "After the client closed its side (readline() returned b''), the server did not "
                "close the connection within 2 s: leave the loop on b'' and close the writer.",
            )

            # C floods the server with commands and reads nothing for a while: a handler that
            # drains waits for the client; one that never drains piles up unsent replies.
            c_reader, c_writer = await _small_window_connection(port)
            writers.append(c_writer)
            big = 10**DIGITS
            c_writer.write(f"ADD {big} {big}\n".encode() * FLOOD)  # no drain: the client waits for nothing
            c_port = c_writer.get_extra_info("sockname")[1]
            steady = 0
            previous = -1
            for _ in range(60):  # until the server's unsent replies stop changing
                await asyncio.sleep(0.02)
                seen = served.get(c_port)
                if seen is None:
                    continue
                size = seen.unsent()
                steady = steady + 1 if size == previous else 0
                previous = size
                if seen.peak_unsent > BACKLOG or steady >= 5:
                    break
            seen = served.get(c_port)
            ctx.expect(
                seen is None or seen.peak_unsent <= BACKLOG,
                f"A client sent {FLOOD} commands at once and did not read the replies yet: the "
                f"server kept {seen.peak_unsent / 1000 if seen else 0:.0f} KB of unsent replies "
                "in memory. `writer.write()` never waits; `await writer.drain()` after each "
                "write waits while the client is not keeping up (backpressure), instead of "
                "buffering without limit.",
            )
            got = await replies(c_reader, FLOOD, f"{FLOOD} commands in one write")
            ctx.expect(
                len(got) == FLOOD and all(g.strip() == str(2 * big) for g in got),
                f"A client sent {FLOOD} ADD commands in one write; the server answered "
                f"{len(got)} of them"
                + ("" if all(g.strip() == str(2 * big) for g in got) else ", some wrongly")
                + f". {framing}",
            )
            c_writer.write_eof()
            closed, _ = await _eof(c_reader)
            ctx.expect(closed, "After the client closed its side, the server did not close the connection within 2 s.")

            if handlers:
                _, pending = await asyncio.wait(handlers, timeout=2)
                ctx.expect(
                    not pending,
                    "handle_client was still running after the clients had gone: return once "
                    "the conversation is over.",
                )
            crashed("(end of input)")
            unfinished = [s for s in served.values() if s.lost_at_return is False]
            ctx.expect(
                not unfinished,
                f"handle_client returned while {len(unfinished)} of its connections were still "
                "closing: after `writer.close()`, `await writer.wait_closed()`, so that the "
                "handler ends only once the connection is really closed (and an error while "
                "closing reaches your code).",
            )
        finally:
            for w in writers:
                w.close()
            server.close()
            if handlers:  # with the clients gone, a handler that stops at b"" ends by itself
                await asyncio.wait(handlers, timeout=1)
            for t in handlers:
                if not t.done():
                    t.cancel()
            if handlers:
                await asyncio.wait(handlers, timeout=1)
            try:
                await asyncio.wait_for(server.wait_closed(), 1)
            except TimeoutError:
                pass

    await ctx.run(named(talk(), "handle_client"))
    return (
        "ADD, errors and QUIT answered; commands sent together, split in two and without a "
        "final newline each answered once; replies drained while a client was slow to read; "
        "a second client was served while the first one waited; the connection closed (and "
        "waited for) after BYE and after the client's end of input."
    )
