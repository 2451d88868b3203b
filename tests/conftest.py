"""Fixtures and settings shared by the whole suite."""

import os
import shutil
import tempfile

import pytest
from hypothesis import settings

pytest_plugins = ["browser"]

# No per-example time limit: on a busy 2-core CI machine a slow example is not a failure.
settings.register_profile("kpiboard", deadline=None)
settings.load_profile("kpiboard")


def pytest_configure(config: pytest.Config) -> None:
    """One chart store for the whole run (kpiboard.reports.chart_store), new each run and shared
    by the test processes, so the suite draws each chart once however many packs show it.
    Made before the xdist workers start, which inherit its address."""
    if os.environ.get("PYTEST_XDIST_WORKER") or "KPIBOARD_SUITE_CHARTS" in os.environ:
        return
    folder = tempfile.mkdtemp(prefix="kpiboard-suite-charts-")
    os.environ["KPIBOARD_SUITE_CHARTS"] = folder
    os.environ["KPIBOARD_CHART_CACHE"] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    folder = os.environ.pop("KPIBOARD_SUITE_CHARTS", "")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def charts_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    """For tests of drawing itself: no chart store, so every chart is drawn (in this process
    and the commands it starts)."""
    monkeypatch.setenv("KPIBOARD_CHART_CACHE", "off")
