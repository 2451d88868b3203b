"""Any change of what the engine reads makes cached evaluations stale (see DataVersion)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from kpiboard.web.register import models

_DEFERRED: ContextVar[bool] = ContextVar("kpiboard_bumps_deferred", default=False)


def _bump(sender: Any, **kwargs: Any) -> None:
    # In the same transaction as the change: a rolled-back change leaves the version as it was.
    if not _DEFERRED.get():
        models.DataVersion.bump()


@contextmanager
def one_bump() -> Iterator[None]:
    """Changes made inside bump the data version once, at the end, instead of once a row (an
    import changes thousands of rows in one transaction: one version, one row lock)."""
    token = _DEFERRED.set(True)
    try:
        yield
    finally:
        _DEFERRED.reset(token)
    models.DataVersion.bump()


def connect() -> None:
    from kpiboard.web.collection.models import Return, ReturnBreakdown

    for model in (
        Return,
        ReturnBreakdown,
        models.Indicator,
        models.Target,
        models.NeighbourValue,
        models.RemedialAction,  # shown on indicator pages, whose content is cached too
        models.OrganisationSettings,
        models.Committee,
        models.Directorate,
        models.Ambition,
    ):
        post_save.connect(_bump, sender=model, dispatch_uid=f"bump-{model.__name__}-save")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"bump-{model.__name__}-delete")
    for through in (models.Indicator.committees.through, models.Indicator.ambitions.through):
        m2m_changed.connect(_bump, sender=through, dispatch_uid=f"bump-{through.__name__}")
