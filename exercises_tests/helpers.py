"""Helpers the module checks share: what the lab service answers, naming a check's driver
coroutine after the learner's function, the learner's classes, and generated inputs.

Generated inputs: a check should try the inputs a task's signature allows, not one fixed
scenario. ``examples`` draws them with hypothesis, derandomised, so that every run of every
check sees the same inputs (a verdict must never change from run to run), and hypothesis's
habit of trying the edges first (empty, one element, duplicates) comes for free.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from asynclab.checking import CheckContext, LearnerError, _leaves
from asynclab.labservice import _value

T = TypeVar("T")

leaves = _leaves  # the exceptions inside a (nested) exception group


def item_value(item_id: int) -> int:
    """What the lab service's /items/{item_id} answers as "value"."""
    return _value(item_id)


def named(coro: Coroutine[Any, Any, T], name: str) -> Coroutine[Any, Any, T]:
    """Give a check's driver coroutine the learner's function name, so that ctx.run's messages
    ("paginate() still raises NotImplementedError") speak of the learner's code."""
    coro.__qualname__ = name
    return coro


def rename(name: str) -> Callable[[Callable[..., Any]], Any]:
    """Decorator form of ``named`` for a driver coroutine function."""

    def apply(fn: Callable[..., Any]) -> Any:
        fn.__qualname__ = fn.__name__ = name
        return fn

    return apply


def learner_class(ctx: CheckContext, name: str) -> type:
    """The learner's class ``name``, with plain words when it is missing or not a class."""
    obj = ctx.namespace.get(name)
    if obj is None:
        raise LearnerError(
            f"MISSING CLASS {name}: did you rename it, or has its cell not run yet? "
            f"Keep the name `{name}` and run its cell before checking."
        )
    if not isinstance(obj, type):
        raise LearnerError(f"`{name}` should be a class, but it is a {type(obj).__name__}.")
    return obj


def examples(strategy: Any, n: int = 10) -> list[Any]:
    """``n`` inputs drawn from a hypothesis strategy, the same ones on every run.

    Draw them before the learner's code runs, then await the learner's function on each:
    ``for urls in examples(st.lists(st.integers(0, 99), max_size=6), 8): ...``.
    """
    from hypothesis import HealthCheck, Phase, given, settings

    drawn: list[Any] = []

    @settings(
        derandomize=True,
        max_examples=n,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: Any) -> None:
        drawn.append(value)

    collect()
    return drawn[:n]
