"""Plain words for what the learner's code raised.

- ``describe_error``: an exception in words: the exceptions inside an ExceptionGroup
  (``_leaves``), the learner's line (``_learner_line``) and the classic asyncio mistakes it
  reveals (``_explain``); a bug in the code (``_BUGS``) is not blamed on a missing handler;
- ``_describe``: ``Name: message`` of an exception, shortened, safe with a broken __str__;
- ``_exit_message``: what a SystemExit or KeyboardInterrupt from the learner's code means;
- ``_awaitable_inside`` and ``_discard``: an un-awaited awaitable in a result (a missing
  ``await``), and getting rid of it quietly.
"""

from __future__ import annotations

import asyncio
import inspect
import traceback
from typing import Any

from .loopwatch import _cell_label, _is_learner_frame


def _exit_message(name: str, exc: BaseException | None) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return (
            f"{name}() was interrupted (KeyboardInterrupt). If a check seems stuck, restart the "
            "kernel rather than interrupting it."
        )
    return (
        f"{name}() called sys.exit() or exit() (SystemExit), which would stop the whole "
        "program. Return a value, or raise an exception to report a failure."
    )


def _describe(exc: BaseException, limit: int = 300) -> str:
    """``Name: message`` of an exception, shortened; safe even when its __str__ is broken."""
    try:
        text = str(exc)
    except Exception:
        text = "(its message could not be shown)"
    if len(text) > limit:
        text = text[:limit] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _leaves(exc: BaseException) -> list[BaseException]:
    """The exceptions inside a (nested) exception group; [exc] for a plain exception."""
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


def _learner_line(exc: BaseException) -> str:
    """' (in f(), line N of cell In[7]: `code`)' for the deepest frame of the learner's code in
    the exception's traceback; cell labels and line numbers are the ones JupyterLab shows."""
    found = ""
    for fs in traceback.extract_tb(exc.__traceback__):
        if _is_learner_frame(fs.filename):
            line = (fs.line or "").strip()
            found = f" (in {fs.name}(), line {fs.lineno} of {_cell_label(fs.filename)}" + (f": `{line[:80]}`)" if line else ")")
    return found


def _explain(exc: BaseException) -> str:
    """Plain words for the classic asyncio mistakes an exception reveals; '' if none."""
    text = str(exc)
    if isinstance(exc, RuntimeError) and (
        "cannot reuse already awaited coroutine" in text or "coroutine is being awaited already" in text
    ):
        return (
            "A coroutine object runs only once, so it cannot be awaited twice or by two callers. "
            "To share one operation, wrap it in a task (`asyncio.create_task(coro)`) and await the "
            "task as often as you like."
        )
    if isinstance(exc, asyncio.InvalidStateError):
        return (
            "A task's result was read before the task had finished. Inside an "
            "`async with asyncio.TaskGroup()` block the tasks are still running: read "
            "`task.result()` after the block has ended, or `await` the task."
        )
    if isinstance(exc, RuntimeError) and ("Session is closed" in text or "Connector is closed" in text):
        return (
            "A request ran after its ClientSession was closed: a task outlived the "
            "`async with aiohttp.ClientSession()` block. Await every task (or cancel and await "
            "it) before the block ends."
        )
    return ""


_BUGS = (NameError, ImportError, TypeError, AttributeError, SyntaxError, NotImplementedError)


def describe_error(exc: BaseException) -> str:
    """What the learner's code raised, in words: an ExceptionGroup shows the exceptions inside
    it, the classic mistakes are named, and the learner's line is given."""
    head = _describe(exc) + _learner_line(exc)
    if isinstance(exc, BaseExceptionGroup):
        leaves = _leaves(exc)
        if len(leaves) == 1:
            head = f"{_describe(leaves[0])}{_learner_line(leaves[0])}, inside an {type(exc).__name__}"
        else:
            inside = "; ".join(_describe(e, 200) + _learner_line(e) for e in leaves[:3])
            more = f" and {len(leaves) - 3} more" if len(leaves) > 3 else ""
            head = f"{type(exc).__name__} with {len(leaves)} exceptions inside: {inside}{more}"
        if all(isinstance(e, _BUGS) for e in leaves):
            head += "."  # a bug in the code, not a failure to handle: the leaf says it all
        else:
            head += (
                ". When a task in a TaskGroup fails, the group cancels its other tasks and raises "
                "an ExceptionGroup of the failures: handle the failures you expect inside each "
                "task, or around the group with `except*`."
            )
        explained = next((e for e in map(_explain, leaves) if e), "")
    else:
        explained = _explain(exc)
    return f"{head} {explained}".strip()


def _awaitable_inside(result: Any) -> Any:
    """The result itself or an element of it (one level deep) that is an un-awaited awaitable."""
    if inspect.isawaitable(result):
        return result
    if isinstance(result, (list, tuple, set)):
        values: Any = result
    elif isinstance(result, dict):
        values = result.values()
    else:
        return None
    return next((v for v in values if inspect.isawaitable(v)), None)


def _discard(awaitable: Any) -> None:
    """Close an un-awaited coroutine, or cancel a future (reading the error of one already
    failed), so that nothing warns about it later."""
    if inspect.iscoroutine(awaitable):
        awaitable.close()
    elif isinstance(awaitable, asyncio.Future):
        if awaitable.done() and not awaitable.cancelled():
            awaitable.exception()
        awaitable.cancel()
