"""The cover of a report: its front matter, from organisation.toml's ``[report]`` tables and the
report's own narrative document.

A line with no value is left out of every format, never printed as a dash or "To be confirmed".
A committee's report has the committee paper's lines (electoral divisions, key decision, Forward
Plan) with the usual defaults; an organisation's or directorate's scorecard has them only when its
table names a committee it goes ``to``, and its recommendation is worded for that committee.

>>> from kpiboard.analysis.periods import parse_period
>>> q2 = parse_period("2024/25 Q2")
>>> cover = front_matter({}, "Cambridgeshire County Council", q2, committee=False)
>>> [label for label, _ in cover.rows()]
['Executive summary']
>>> print(cover.executive_summary)  # doctest: +NORMALIZE_WHITESPACE
This report sets out the performance of Cambridgeshire County Council for quarter 2 of 2024/25
(1 July to 30 September 2024).
>>> cover.officer_rows()
[]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kpiboard.analysis.model import Organisation
from kpiboard.analysis.periods import Period
from kpiboard.reports.words import long_date, period_in_words

__all__ = ["FrontMatter", "front_matter", "report_settings"]

RECOMMENDATION = "The Committee is asked to note performance information and act, as necessary."


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The cover of the report; an empty value is a line left out."""

    to: str
    meeting_date: str
    from_: str
    electoral_divisions: str
    key_decision: str
    forward_plan_ref: str
    executive_summary: str
    recommendation: str
    officer_name: str
    officer_post: str
    officer_email: str

    def rows(self) -> list[tuple[str, str]]:
        """The label and value of each line of the cover with a value, in the order councils
        print them."""
        lines = [
            ("To", self.to),
            ("Meeting date", self.meeting_date),
            ("From", self.from_),
            ("Electoral division(s)", self.electoral_divisions),
            ("Key decision", self.key_decision),
            ("Forward Plan ref", self.forward_plan_ref),
            ("Executive summary", self.executive_summary),
            ("Recommendation", self.recommendation),
        ]
        return [(label, value) for label, value in lines if value]

    def officer_rows(self) -> list[tuple[str, str]]:
        """The officer contact's lines with a value (none: no officer contact at all)."""
        lines = [
            ("Name", self.officer_name),
            ("Post", self.officer_post),
            ("Email", self.officer_email),
        ]
        return [(label, value) for label, value in lines if value]


def report_settings(organisation: Organisation, key: str) -> dict[str, Any]:
    """``[report]`` keys, overridden by those of ``[report.<key>]`` (the scope's own table):
    the front matter a report of that scope starts from."""
    table = organisation.extra.get("report", {})
    if not isinstance(table, Mapping):
        return {}
    merged = {k: v for k, v in table.items() if not isinstance(v, Mapping)}
    specific = table.get(key, {})
    if isinstance(specific, Mapping):
        merged.update(specific)
    return merged


def meeting_date(value: object) -> str:
    """A meeting date in words ("17 December 2024"); text that is not a date as written."""
    if isinstance(value, date):
        return long_date(value)
    try:
        return long_date(date.fromisoformat(str(value)))
    except ValueError:
        return str(value).strip()


def front_matter(
    settings: Mapping[str, Any], scope_name: str, period: Period, *, committee: bool
) -> FrontMatter:
    """The cover of a report on ``scope_name`` for ``period`` from its settings; ``committee``
    when the report is a committee's own."""

    def text(key: str, default: str = "") -> str:
        value = settings.get(key)
        return default if value is None else str(value).strip()

    to = text("to", scope_name if committee else "")
    paper = bool(to)  # a paper to a committee, with a committee paper's lines
    period_words = period_in_words(period)
    summary = (
        f"This report provides an update to the {to} on the performance monitoring "
        f"information for {period_words}."
        if paper
        else f"This report sets out the performance of {scope_name} for {period_words}."
    )
    return FrontMatter(
        to=to,
        meeting_date=meeting_date(settings["meeting_date"]) if "meeting_date" in settings else "",
        from_=text("from"),
        electoral_divisions=text("electoral_divisions", "All" if paper else ""),
        key_decision=text("key_decision", "No" if paper else ""),
        forward_plan_ref=text("forward_plan_ref", "Not applicable" if paper else ""),
        executive_summary=text("executive_summary", summary),
        recommendation=text("recommendation", RECOMMENDATION if paper else ""),
        officer_name=text("officer_name"),
        officer_post=text("officer_post"),
        officer_email=text("officer_email"),
    )
