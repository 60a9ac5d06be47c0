"""The ``submission`` fixture of the hardening suite (see hardening_support.py)."""

from pathlib import Path

import pytest
from hardening_support import Submission


@pytest.fixture
def submission(tmp_path: Path) -> Submission:
    return Submission(tmp_path)
