"""The e-mails of the quarter's cycle, through Django's mail framework (SMTP, or GOV.UK Notify
with :class:`kpiboard.web.notify.NotifyBackend`):

- to a return's owner (the indicator's owner, and whoever submitted it) when it is approved or
  sent back, with the reviewer's reason;
- to the performance team when returns arrive: at once, or as one digest a day when
  ``KPIBOARD_RETURNS_DIGEST`` is set (``kpiboard send_digest``, run daily);
- to owners before a return is due and after it is late (``kpiboard send_reminders``, run daily).

Each message is a Django template in ``templates/mail/`` (``<name>_subject.txt`` and
``<name>.txt``), so a council words its own by overriding them. A message that cannot be sent is
logged and never stops the change that caused it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string

from kpiboard.web.accounts import roles

__all__ = [
    "digest",
    "reminders",
    "return_decided",
    "returns_arrived",
    "send",
]

log = logging.getLogger(__name__)


def send(name: str, to: Iterable[str], context: dict[str, Any]) -> int:
    """Send the ``name`` message to each address in ``to`` (one message each, so no one sees
    another's address); how many were sent."""
    addresses = sorted({address.strip().lower() for address in to if address and address.strip()})
    if not addresses:
        return 0
    context = {"site": getattr(settings, "KPIBOARD_SITE_URL", ""), **context}
    subject = " ".join(render_to_string(f"mail/{name}_subject.txt", context).split())
    body = render_to_string(f"mail/{name}.txt", context)
    messages = [EmailMessage(subject, body, None, [address]) for address in addresses]
    try:
        return get_connection().send_messages(messages) or 0
    except Exception:  # the mail server down must not undo an approval
        log.exception("could not send %r to %s", name, ", ".join(addresses))
        return 0


def _owners(item: Any) -> list[str]:
    """Who a return's news goes to: the indicator's owner and whoever submitted it."""
    found = [item.indicator.owner]
    if item.submitted_by is not None:
        found.append(item.submitted_by.email)
    return found


def return_decided(item: Any, reviewer: Any) -> int:
    """Tell the owner that ``item`` was approved or sent back (with the reason)."""
    name = "return_approved" if item.state == "approved" else "return_sent_back"
    return send(name, _owners(item), {"item": item, "reviewer": _person(reviewer)})


def _team() -> list[str]:
    users = get_user_model().objects.filter(groups__name=roles.PERFORMANCE, is_active=True)
    return list(users.exclude(email="").values_list("email", flat=True))


def returns_arrived(items: Sequence[Any]) -> int:
    """Tell the performance team that ``items`` were submitted, unless they take a digest."""
    if not items or getattr(settings, "KPIBOARD_RETURNS_DIGEST", False):
        return 0
    return send("returns_arrived", _team(), {"items": list(items)})


def digest(since: dt.datetime) -> int:
    """One message to the performance team of every return submitted since ``since``."""
    from kpiboard.web.collection.models import Return, ReturnState

    items = list(
        Return.objects.filter(state=ReturnState.SUBMITTED, submitted_at__gte=since)
        .select_related("indicator")
        .order_by("indicator__ref", "period_start")
    )
    if not items:
        return 0
    return send("returns_digest", _team(), {"items": items, "since": since})


def reminders(due: Iterable[dict[str, Any]], today: dt.date, before: int = 5) -> int:
    """Remind each owner of their returns not yet in that are due within ``before`` days, or
    late; ``due`` is the returns due (as the outstanding page lists them). How many sent."""
    by_owner: dict[str, list[dict[str, Any]]] = {}
    for entry in due:
        owner = entry["indicator"].owner
        days_left = (entry["due"] - today).days
        if owner and not entry["done"] and days_left <= before:
            by_owner.setdefault(owner.lower(), []).append({**entry, "days_left": days_left})
    sent = 0
    for owner, entries in sorted(by_owner.items()):
        late = [e for e in entries if e["days_left"] < 0]
        sent += send("reminder", [owner], {"entries": entries, "late": late, "today": today})
    return sent


def _person(user: Any) -> str:
    if user is None:
        return "the performance team"
    return str(user.get_full_name() or user.get_username())
