"""Fixtures shared by the whole suite."""

pytest_plugins = ["browser"]
