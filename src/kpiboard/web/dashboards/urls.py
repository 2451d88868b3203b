"""Scorecards and indicator pages (issue 5)."""

from django.urls import path  # noqa: F401

urlpatterns: list[object] = []
