"""The audit page's filters, and the form that lifts a sign-in lock."""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any

from django import forms

from kpiboard.web.audit.models import Action
from kpiboard.web.throttling import ADDRESS, KINDS

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y"]


class AuditFilterForm(forms.Form):
    """Who, what and when; every field may be left empty."""

    who = forms.CharField(
        label="Who",
        required=False,
        max_length=150,
        help_text="A username, or part of one (the username tried, for a failed sign-in)",
    )
    action = forms.ChoiceField(
        label="What", required=False, choices=[("", "Anything"), *Action.choices]
    )
    since = forms.DateField(
        label="From", required=False, input_formats=DATE_FORMATS, help_text="For example 2025-01-31"
    )
    until = forms.DateField(
        label="To",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="Inclusive, for example 2025-03-31",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if isinstance(since, dt.date) and isinstance(until, dt.date) and since > until:
            self.add_error("until", "The end date must be on or after the start date.")
        return cleaned


class LiftForm(forms.Form):
    """An address or a username whose lock an administrator lifts."""

    kind = forms.ChoiceField(choices=[(kind, kind) for kind in KINDS])
    value = forms.CharField(max_length=150)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") == ADDRESS and cleaned.get("value"):
            try:
                cleaned["value"] = str(ipaddress.ip_address(cleaned["value"].strip()))
            except ValueError:
                self.add_error("value", f"{cleaned['value']!r} is not an IP address.")
        return cleaned
