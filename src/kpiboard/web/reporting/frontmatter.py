"""What a report covers (its scope) and its front matter, as organisation.toml's ``[report]``
tables give them.

A scope is written as the evaluation cache writes it: ``organisation``, ``committee:ID``,
``directorate:ID``, ``strategic`` (the Organisational Scorecard, every strategic KPI) or
``strategic:ID`` (a directorate's strategic scorecard). The front matter has exactly the keys
of a ``[report.<id>]`` table; the report pack reads them from the organisation's ``extra``,
so a run's front matter reaches the pack by being laid over that table
(:func:`organisation_with_front_matter`), and :mod:`kpiboard.reports` needs no change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from kpiboard.analysis.evaluate import Evaluation
from kpiboard.analysis.model import Organisation
from kpiboard.analysis.periods import Period
from kpiboard.datafiles.narrative import FRONT_MATTER_KEYS
from kpiboard.reports.cover import front_matter, report_settings
from kpiboard.reports.strategic import narrative_scope, scorecard_title, strategic_settings


class ScopeError(ValueError):
    """A scope that is not organisation, committee:ID, directorate:ID, strategic or
    strategic:ID of this organisation."""


_EXPECTED = "organisation, committee:ID, directorate:ID, strategic or strategic:ID"


@dataclass(frozen=True, slots=True)
class Scope:
    """What a report covers: ``kind`` is organisation, committee, directorate or strategic (the
    Organisational Scorecard with no ``id``, or a directorate's strategic scorecard)."""

    kind: str
    id: str
    name: str

    @property
    def key(self) -> str:
        """``organisation``, ``committee:srp``, ``directorate:fin``, ``strategic``,
        ``strategic:asc``."""
        return self.kind if not self.id else f"{self.kind}:{self.id}"

    @property
    def report_key(self) -> str:
        """The table of ``[report]`` that holds this scope's front matter (``[report.srp]``),
        which is also the scope its narrative names: ``strategic`` or ``strategic-asc`` for the
        strategic scorecards."""
        if self.strategic:
            return narrative_scope(self.id or None)
        return "organisation" if self.kind == "organisation" else self.id

    @property
    def committee(self) -> str | None:
        return self.id if self.kind == "committee" else None

    @property
    def directorate(self) -> str | None:
        return self.id if self.kind in ("directorate", "strategic") and self.id else None

    @property
    def strategic(self) -> bool:
        return self.kind == "strategic"


def parse_scope(text: str, organisation: Organisation) -> Scope:
    """The scope ``text`` names, with its name from the organisation.

    >>> from kpiboard.analysis.model import Committee
    >>> org = Organisation("Council", committees=(Committee("srp", "Strategy"),))
    >>> parse_scope("committee:srp", org)
    Scope(kind='committee', id='srp', name='Strategy')
    """
    cleaned = text.strip()
    if cleaned == "organisation":
        return Scope("organisation", "", organisation.name)
    if cleaned == "strategic":
        return Scope("strategic", "", scorecard_title(organisation, None))
    kind, _, ident = cleaned.partition(":")
    choices: dict[str, Any] = {
        "committee": organisation.committees,
        "directorate": organisation.directorates,
        "strategic": organisation.directorates,
    }
    if kind not in choices or not ident:
        raise ScopeError(f"{text!r} is not a scope: expected {_EXPECTED}")
    for item in choices[kind]:
        if item.id == ident:
            name = scorecard_title(organisation, ident) if kind == "strategic" else item.name
            return Scope(kind, ident, name)
    plural = "directorate" if kind == "strategic" else kind
    known = ", ".join(item.id for item in choices[kind]) or "none"
    raise ScopeError(f"there is no {plural} {ident!r}: the {plural}s are {known}")


def scopes(organisation: Organisation) -> list[Scope]:
    """Every scope a report can cover, the organisation first, the strategic scorecards last."""
    return [
        Scope("organisation", "", organisation.name),
        *(Scope("committee", c.id, c.name) for c in organisation.committees),
        *(Scope("directorate", d.id, d.name) for d in organisation.directorates),
        Scope("strategic", "", scorecard_title(organisation, None)),
        *(
            Scope("strategic", d.id, scorecard_title(organisation, d.id))
            for d in organisation.directorates
        ),
    ]


def narrative_key(scope_text: str) -> str:
    """The scope a report's narrative names, from the scope as a run holds it:
    ``committee:srp`` is ``srp``, ``strategic:asc`` is ``strategic-asc``."""
    kind, _, ident = scope_text.partition(":")
    if kind == "strategic":
        return narrative_scope(ident or None)
    return ident or kind


def default_front_matter(
    organisation: Organisation,
    scope: Scope,
    period: Period,
    cover: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The front matter organisation.toml gives for ``scope``, with the report narrative's
    ``cover`` lines over it and the pack's own defaults where neither gives one, so that what
    the form shows is what the report would print (an empty line is left out of the report)."""
    settings = report_settings(organisation, scope.report_key)
    if scope.strategic and "to" not in settings:  # the committee [strategic] names, as the pack
        committee = strategic_settings(organisation).committee_for(scope.id or None)
        names = {c.id: c.name for c in organisation.committees}
        settings["to"] = names.get(committee, "") if committee else ""
    settings.update(cover or {})
    front = front_matter(settings, scope.name, period, committee=scope.kind == "committee")
    values = {f.name.rstrip("_"): str(getattr(front, f.name)) for f in fields(front)}
    if "meeting_date" in settings:  # as written (an ISO date reads back as one)
        values["meeting_date"] = str(settings["meeting_date"])
    return {key: values[key] for key in FRONT_MATTER_KEYS}


def with_revision_note(front_matter: Mapping[str, str], note: str) -> dict[str, str]:
    """The front matter with ``note`` added to the end of the executive summary."""
    merged = dict(front_matter)
    if note:
        summary = merged.get("executive_summary", "").rstrip()
        merged["executive_summary"] = f"{summary} {note}".strip()
    return merged


def organisation_with_front_matter(
    organisation: Organisation, scope: Scope, front_matter: Mapping[str, str]
) -> Organisation:
    """The organisation with ``front_matter`` laid over its ``[report.<id>]`` table."""
    extra = dict(organisation.extra)
    table = extra.get("report", {})
    report = dict(table) if isinstance(table, Mapping) else {}
    specific = report.get(scope.report_key, {})
    merged = dict(specific) if isinstance(specific, Mapping) else {}
    merged.update({key: front_matter[key] for key in FRONT_MATTER_KEYS if key in front_matter})
    report[scope.report_key] = merged
    extra["report"] = report
    return replace(organisation, extra=extra)


def evaluation_with_front_matter(
    evaluation: Evaluation, scope: Scope, front_matter: Mapping[str, str]
) -> Evaluation:
    """The same evaluation, its organisation carrying the run's front matter for the pack."""
    return replace(
        evaluation,
        organisation=organisation_with_front_matter(evaluation.organisation, scope, front_matter),
    )
