"""Fixtures and settings shared by the whole suite."""

from hypothesis import settings

pytest_plugins = ["browser"]

# No per-example time limit: on a busy 2-core CI machine a slow example is not a failure.
settings.register_profile("kpiboard", deadline=None)
settings.load_profile("kpiboard")
