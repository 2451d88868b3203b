"""An indicator's record in words: every change to it, its targets, returns and actions, with
field labels, people's names, old -> new values and, where one was given, the reason.

django-simple-history keeps the rows; this turns them into what a reader expects: "Reviewed by:
none -> Alex Morgan" rather than "reviewed_by: – -> 2".
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

__all__ = ["describe", "person", "shown"]

#: Fields that carry no meaning for a reader.
HIDDEN = {"version", "period_start", "id"}
_LONG = 160


def person(user: Any) -> str:
    """A user as people know them: full name, else username; "an import" for none."""
    if user is None:
        return "an import or the system"
    return str(user.get_full_name() or user.get_username())


def shown(
    field: models.Field[Any, Any] | None, value: Any, names: dict[tuple[Any, Any], str]
) -> str:
    """A stored value in words: a person or committee by name, a choice by its label, numbers
    as written, dates in words, long text cut short; "none" for nothing."""
    if value is None or value == "":
        return "none"
    if field is not None and field.is_relation and field.related_model is not None:
        key = (field.related_model, value)
        if key not in names:
            related = field.related_model._default_manager.filter(pk=value).first()
            if related is None:
                names[key] = f"(removed, {value})"
            elif isinstance(related, get_user_model()):
                names[key] = person(related)
            else:
                names[key] = str(getattr(related, "name", related))
        return names[key]
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, datetime):
        return f"{value:%-d %B %Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%-d %B %Y}"
    text = " ".join(str(value).split())
    return text if len(text) <= _LONG else text[: _LONG - 3] + "..."


def describe(record: Any, names: dict[tuple[Any, Any], str]) -> list[tuple[str, str, str]]:
    """Each field a history record changed: (label, old, new) in words."""
    previous = record.prev_record
    if previous is None:
        return []
    model = record.instance._meta.model
    delta = record.diff_against(previous, excluded_fields=sorted(HIDDEN))
    changes = []
    for change in delta.changes:
        try:
            field = model._meta.get_field(change.field)
        except Exception:  # a field the model no longer has (m2m lists, removed fields)
            field = None
        label = str(getattr(field, "verbose_name", change.field)).replace("_", " ")
        old, new = change.old, change.new
        if isinstance(old, list) or isinstance(new, list):  # many-to-many: the linked names
            old = ", ".join(sorted(str(item) for item in old or [])) or None
            new = ", ".join(sorted(str(item) for item in new or [])) or None
            field = None
        changes.append(
            (label[:1].upper() + label[1:], shown(field, old, names), shown(field, new, names))
        )
    return changes
