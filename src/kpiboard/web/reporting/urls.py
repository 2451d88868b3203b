"""Report runs, publication, public pages and open data (issue 5)."""

from django.urls import path  # noqa: F401

urlpatterns: list[object] = []
