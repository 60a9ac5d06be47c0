"""Support package for the Async Python Patterns course.

- ``asynclab.labservice``: the local "internet" (latency, faults, rate limits, streams,
  websockets) that records what clients did to it;
- ``asynclab.timing``: sync / threads / async timing comparisons and plots;
- ``asynclab.checking``: ``check()`` and ``hint()`` for the exercise notebooks, and the
  check API that ``exercises_tests/`` uses; it builds on ``asynclab.loopwatch`` (a blocked
  event loop), ``asynclab.learner_tasks`` (the learner's tasks, and where stuck ones wait),
  ``asynclab.explain`` (errors in plain words) and ``asynclab.hints`` (the hints);
- ``asynclab.grade``: the grader behind ``make check``;
- ``asynclab.generate``: exercise notebooks generated from the solutions;
- ``asynclab.manifest``: the course manifest (course.toml);
- ``asynclab.workloads``: CPU-bound and thread-bound work the lessons and checks hand out;
- ``asynclab.timeline``: the tasks a block of code created, their requests and the loop's
  stalls on one clock, drawn as a Gantt chart or exported as a Chrome trace;
- ``asynclab.web``: a web app served on 127.0.0.1 in its own thread or process, always
  stopped, and an HTTP load generator.
"""

from .checking import check, hint


def lab(*, seed: int = 0):
    """Start (or reuse) this process's lab service; see ``asynclab.labservice``."""
    from .labservice import lab as _lab

    return _lab(seed=seed)


__all__ = ["check", "hint", "lab"]
