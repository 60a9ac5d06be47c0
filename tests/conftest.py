"""Shared fixtures: short time limits so that hanging submissions are judged quickly."""

import os

os.environ.setdefault("ASYNCLAB_TASK_TIMEOUT", "8")
os.environ.setdefault("ASYNCLAB_CELL_TIMEOUT", "20")  # a setup cell starts the lab service: slow on a busy machine


def pytest_collection_modifyitems(items: list) -> None:
    """Under `pytest -n 2 --dist loadgroup` the cells of one notebook run in one kernel, so
    they must stay on one worker: group them by notebook. (Grouped submissions say their
    own group in tests/test_grader.py.)"""
    import pytest

    for item in items:
        if item.nodeid.split("::")[0].endswith(".ipynb") and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
