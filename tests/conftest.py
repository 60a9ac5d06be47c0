"""Shared fixtures: short time limits so that hanging submissions are judged quickly, and
one lab service per test module (`svc`, reset before each test)."""

import os
from collections.abc import Iterator

import pytest

from asynclab.labservice import LabService

os.environ.setdefault("ASYNCLAB_TASK_TIMEOUT", "8")
os.environ.setdefault("ASYNCLAB_CELL_TIMEOUT", "20")  # a setup cell starts the lab service: slow on a busy machine


@pytest.fixture(scope="module")
def shared() -> Iterator[LabService]:
    with LabService(seed=0) as service:
        yield service


@pytest.fixture
def svc(shared: LabService) -> LabService:
    shared.reset()
    return shared
