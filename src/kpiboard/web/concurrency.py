"""Nothing overwritten silently: a save must name the version it was made from.

Every form for an editable row (indicator, target, return, action) carries the row's ``version``.
:func:`save_versioned` writes only if the row still has that version, in the same UPDATE, and
raises :class:`EditConflict` otherwise: the second of two people editing the same figure is told
what happened instead of overwriting the first.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction


class EditConflictError(Exception):
    def __init__(self, instance: models.Model) -> None:
        self.instance = instance
        super().__init__(
            f"{instance} was changed by someone else after you opened it. "
            "Your change has not been saved: look at the current version, then make it again."
        )


def save_versioned(instance: Any, version: int | None, user: Any) -> None:
    """Save ``instance`` (already changed in memory), its history recorded as ``user``'s.

    A new row is created; a new row that clashes with one saved meanwhile (a unique constraint,
    such as one return per indicator and period) is a conflict. An existing row is saved only if
    the stored row is still at ``version``.
    """
    model = type(instance)
    instance._history_user = user
    with transaction.atomic():
        if instance.pk is None:
            try:
                with transaction.atomic():
                    instance.save()
            except IntegrityError:
                raise EditConflictError(instance) from None
            return
        if version is None:
            raise EditConflictError(instance)
        updated = model.objects.filter(pk=instance.pk, version=version).update(version=version + 1)
        if updated != 1:
            raise EditConflictError(instance)
        instance.version = version + 1
        instance.save()
