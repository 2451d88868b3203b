"""Fixtures and settings shared by the whole suite."""

import os

from hypothesis import settings

pytest_plugins = ["browser"]

# No per-example time limit: on a busy 2-core CI machine a slow example is not a failure.
settings.register_profile("kpiboard", deadline=None)
settings.load_profile("kpiboard")

# Every test draws its charts (and the commands it starts too): a chart store shared between
# tests would hide drawing from the tests of drawing. tests/reports/test_chart_store.py turns it
# on where it is the subject.
os.environ["KPIBOARD_CHART_CACHE"] = "off"
