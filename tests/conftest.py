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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-pass",
        action="store_true",
        help=(
            "The second database's run (make test's PostgreSQL pass): only the tests that reach "
            "the database, without those that drive Chromium (the pages they drive are "
            "requested on this database by the tests without a browser) and those marked once."
        ),
    )


#: Fixtures through which a test reaches the database (pytest-django's, and the tests' own that
#: make a database for the processes they start).
DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "live_server", "database_url", "new_database"}
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--database-pass"):
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        reaches = names & DATABASE_FIXTURES or item.get_closest_marker("django_db")
        once = item.get_closest_marker("once") is not None
        (kept if reaches and not once and "browser" not in names else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
