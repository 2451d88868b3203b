"""A figure changed after publication is recorded as a revision, whichever way it changed.

A return saved one at a time (review, the admin) sends ``post_save``; an import writes returns in
bulk, which sends no signals, and then creates its ``ImportRun``, after which every current
publication is compared with the approved figures. Both run in the transaction of the change.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save


def _return_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    from kpiboard.web.collection.models import ReturnState
    from kpiboard.web.reporting.revisions import revisions_record

    if instance.state != ReturnState.APPROVED:
        return
    revisions_record(
        refs=[instance.indicator.ref],
        period=instance.period,
        changed_by=getattr(instance, "_history_user", None),  # else the return's reviewer
    )


def _import_applied(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    from kpiboard.web.reporting.revisions import revisions_record

    if created:
        revisions_record(changed_by=instance.user, changed_at=instance.created)


def connect() -> None:
    from kpiboard.web.collection.models import Return
    from kpiboard.web.register.models import ImportRun

    post_save.connect(_return_saved, sender=Return, dispatch_uid="reporting-revision-return")
    post_save.connect(_import_applied, sender=ImportRun, dispatch_uid="reporting-revision-import")
