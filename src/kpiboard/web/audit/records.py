"""Writing to the audit log: :func:`record`, called by the views that change or take out what
matters, and by the receivers in :mod:`kpiboard.web.audit.signals`."""

from __future__ import annotations

import difflib
import logging
from typing import Any

from django.http import HttpRequest

from kpiboard.web.audit.models import Action, AuditEvent
from kpiboard.web.log_lines import escape
from kpiboard.web.proxies import client_address

__all__ = ["changes", "record", "text_changes"]

DETAIL_MAX = 4000


def _who(request_or_user: Any) -> tuple[Any, str | None]:
    """The account (or None) and the client address (or None) behind ``request_or_user``."""
    if isinstance(request_or_user, HttpRequest):
        user = getattr(request_or_user, "user", None)
        account = user if user is not None and user.is_authenticated else None
        return account, client_address(request_or_user)
    if request_or_user is not None and getattr(request_or_user, "is_authenticated", False):
        return request_or_user, None
    return None, None


def record(
    request_or_user: Any,
    action: str,
    target: str = "",
    detail: str = "",
    *,
    actor_name: str | None = None,
    actor: Any = None,
) -> AuditEvent:
    """Add a row: who (a request, whose user and client address are taken, or a user, or None
    for the system), ``action`` (one of :class:`Action`), what it was done to, and the detail
    (for a change, old → new). ``actor_name`` names someone not signed in (a failed sign-in's
    username); ``actor`` names the account when the request's is not signed in (a completed
    password reset)."""
    if action not in Action.values:
        raise ValueError(f"{action!r} is not an audit action: expected one of {Action.values}")
    account, address = _who(request_or_user)
    if account is None and actor is not None:
        account = actor
    name = actor_name if actor_name is not None else (account.get_username() if account else "")
    # Control characters escaped (a NUL, which PostgreSQL refuses; a line break in a username
    # or an address, to keep each field one line): ASVS 7.3.1. The detail keeps its lines.
    return AuditEvent.objects.create(
        actor=account,
        actor_name=escape(str(name))[:150],
        address=address,
        action=action,
        target=escape(str(target))[:300],
        detail=escape(str(detail), keep="\n")[:DETAIL_MAX],
    )


def changes(before: dict[str, Any], after: dict[str, Any]) -> str:
    """What changed between two mappings, one ``key: old → new`` a line.

    >>> changes({"title": "Q1", "author": "A"}, {"title": "Q2", "author": "A", "note": "x"})
    'note: (empty) → x\\ntitle: Q1 → Q2'
    """
    lines = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if (old or "") != (new or ""):
            lines.append(f"{key}: {_shown(old)} → {_shown(new)}")
    return "\n".join(lines)


def _shown(value: Any) -> str:
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    if not text:
        return "(empty)"
    return text if len(text) <= 200 else text[:199] + "…"


def text_changes(before: str, after: str, *, most: int = 30) -> str:
    """The lines of a document taken out (``-``) and put in (``+``), at most ``most`` of them.

    >>> print(text_changes("# Cover\\ntitle: Q1\\nSame", "# Cover\\ntitle: Q2\\nSame"))
    - title: Q1
    + title: Q2
    """
    lines = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0, lineterm="")
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    shown = [f"{line[0]} {_shown(line[1:])}" for line in lines[:most]]
    if len(lines) > most:
        shown.append(f"… and {len(lines) - most} more lines")
    return "\n".join(shown) or "no change to the text"


def record_safely(request: Any, action: str, target: str, detail: str) -> None:
    """:func:`record`, or log why not: a refusal is never turned into a server error by its
    record (the refused request's answer stands whatever happens to the audit row)."""
    try:
        record(request, action, target, detail)
    except Exception:
        logging.getLogger("kpiboard.audit").exception("could not record %s for %s", action, target)
