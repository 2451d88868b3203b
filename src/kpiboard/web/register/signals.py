"""Any change of what the engine reads makes cached evaluations stale (see DataVersion)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from kpiboard.web.register import models


def _bump(sender: Any, **kwargs: Any) -> None:
    # In the same transaction as the change: a rolled-back change leaves the version as it was.
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
