"""Any change of what the engine reads makes cached evaluations stale (see DataVersion).

Except a return that is, before and after its save, a draft or returned to its owner: readers,
reports and the engine see only approved figures, and the scorecards count a draft, a returned
return and no return alike as outstanding, so such a save changes nothing any of them shows.
Owners save drafts over and over while typing; each bump would make every reader's cached
page and the organisation's cached evaluation stale (issue 16: 20 owners saving made every
scorecard request of 100 readers evaluate and render again).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from kpiboard.web.register import models

_DEFERRED: ContextVar[bool] = ContextVar("kpiboard_bumps_deferred", default=False)


def _bump(sender: Any, **kwargs: Any) -> None:
    # In the same transaction as the change: a rolled-back change leaves the version as it was.
    if not _DEFERRED.get():
        models.DataVersion.bump()


#: Return states whose figures no reader sees, and which every page counts alike (outstanding).
UNSEEN = ("draft", "returned")


def _stored_state(sender: Any, instance: Any, **kwargs: Any) -> None:
    """pre_save of a Return: the state it has in the database before this save (None: new)."""
    if instance.state not in UNSEEN:
        return  # submitted or approved now: bumped whatever it was
    instance._kpiboard_stored_state = (
        sender.objects.filter(pk=instance.pk).values_list("state", flat=True).first()
        if instance.pk is not None
        else None
    )


def _return_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    before = getattr(instance, "_kpiboard_stored_state", "unknown")
    if instance.state in UNSEEN and (before is None or before in UNSEEN):
        return  # a draft saved again, or a new draft: nothing a reader sees has changed
    _bump(sender)


def _group_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    from kpiboard.web.collection.models import Return

    # The return's state as stored in this transaction (saved just before its groups).
    state = Return.objects.filter(pk=instance.return_row_id).values_list("state", flat=True)
    if state.first() in UNSEEN:
        return  # a group of a draft: seen only once the return is approved
    _bump(sender)


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

    pre_save.connect(_stored_state, sender=Return, dispatch_uid="bump-Return-state")
    post_save.connect(_return_saved, sender=Return, dispatch_uid="bump-Return-save")
    post_save.connect(
        _group_saved, sender=ReturnBreakdown, dispatch_uid="bump-ReturnBreakdown-save"
    )
    for kind in (Return, ReturnBreakdown):  # a deleted draft too: deletes are rare
        post_delete.connect(_bump, sender=kind, dispatch_uid=f"bump-{kind.__name__}-delete")
    for model in (
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
