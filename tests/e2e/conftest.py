"""Browser tests: JupyterLab driven by Playwright in the system's headless Chromium.

Run them with `make e2e`, which installs Chromium first (scripts/install_chromium.sh).
Without /usr/bin/chromium or without Playwright the tests are skipped, with the reason.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"

# Screenshots saved during the run, listed at the end of pytest's report.
SCREENSHOTS: list[Path] = []


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: run scripts/install_chromium.sh (or `make e2e`)"
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed: pip install -e '.[dev]' (or `make e2e`)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _missing()
    if reason is None:
        return
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def screenshots() -> list[Path]:
    """The list the tests add their screenshots to; old screenshots are removed first."""
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    return SCREENSHOTS


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Keep the test's outcome on the item, so that fixtures can react to a failure."""
    report = yield
    if report.when == "call":
        item.e2e_call_report = report  # type: ignore[attr-defined]
    return report


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if SCREENSHOTS:
        terminalreporter.section("browser screenshots")
        for path in SCREENSHOTS:
            terminalreporter.write_line(str(path))
