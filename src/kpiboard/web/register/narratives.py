"""The officer's narrative documents in the database: read into the Dataset (so packs, export and
the web use the same :class:`~kpiboard.analysis.model.Narrative`), planned and applied by an
import, and saved from the web's editor, each checked as a data folder's would be.

An import never deletes: a document the source has is added or, if its text differs, replaced
(its old text stays in the history); one the database has and the source lacks is kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kpiboard.analysis.model import Dataset, Narrative, Organisation
from kpiboard.analysis.periods import Period
from kpiboard.datafiles.errors import DataError
from kpiboard.datafiles.narrative import Context, parse_narrative
from kpiboard.reports.strategic import narrative_scope
from kpiboard.web.concurrency import save_versioned
from kpiboard.web.register import models

__all__ = [
    "NarrativeKey",
    "apply_narratives",
    "narrative_context",
    "plan_narratives",
    "save_narrative",
    "stored_narratives",
]

NarrativeKey = tuple[str, str]  # scope, period label


def narrative_context(organisation: Organisation, refs: Iterable[str] | None) -> Context:
    """What a document is checked against in this organisation."""
    scopes = frozenset(
        ["organisation"]
        + [c.id for c in organisation.committees]
        + [d.id for d in organisation.directorates]
        # the strategic scorecards' (docs/proposals.md), as the data folder's reader takes them
        + [narrative_scope(None)]
        + [narrative_scope(d.id) for d in organisation.directorates]
    )
    return Context(
        scopes,
        None if refs is None else frozenset(refs),
        organisation.settings.year_start_month,
    )


def stored_narratives(organisation: Organisation) -> dict[tuple[str, Period], Narrative]:
    """Every stored document that still reads (one naming a committee since removed does not,
    and is left out of packs and exports until it is corrected)."""
    context = narrative_context(organisation, None)
    found = {}
    for row in models.ReportNarrative.objects.all():
        narrative = parse_narrative(row.document, f"reports/{row}", context, [])
        if narrative is not None:
            found[(narrative.scope, narrative.period)] = narrative
    return found


def _key(narrative: Narrative) -> NarrativeKey:
    return (narrative.scope, str(narrative.period))


def plan_narratives(
    dataset: Dataset, current: Dataset
) -> tuple[list[NarrativeKey], list[NarrativeKey]]:
    """The source's documents that are new, and those whose text differs from the stored."""
    now = {_key(n): n.source for n in current.narratives.values()}
    new, changed = [], []
    for narrative in dataset.narratives.values():
        key = _key(narrative)
        if key not in now:
            new.append(key)
        elif now[key] != narrative.source:
            changed.append(key)
    return sorted(new), sorted(changed)


def apply_narratives(dataset: Dataset, user: Any) -> None:
    """Add the source's documents, or replace the text of those that differ; audited."""
    author = user if getattr(user, "pk", None) else None
    existing = {(row.scope, row.period): row for row in models.ReportNarrative.objects.all()}
    for narrative in dataset.narratives.values():
        scope, period = _key(narrative)
        row = existing.get((scope, period))
        if row is None:
            row = models.ReportNarrative(scope=scope, period=period)
        elif row.document == narrative.source:
            continue
        else:
            row.version += 1
        row.document = narrative.source
        row.updated_by = author
        row._history_user = author  # type: ignore[attr-defined]
        row.save()


def save_narrative(
    *,
    organisation: Organisation,
    refs: Iterable[str],
    scope: str,
    period: Period,
    document: str,
    version: int | None,
    user: Any,
) -> list[DataError]:
    """Check ``document`` and store it as the narrative of ``scope`` for ``period``; the errors
    (nothing stored) if it does not read or names another report. ``version`` is the one the
    editor was opened at (None for a new document): a save made meanwhile by someone else
    raises :class:`~kpiboard.web.concurrency.EditConflictError`."""
    errors: list[DataError] = []
    narrative = parse_narrative(
        document, "The document", narrative_context(organisation, refs), errors
    )
    if narrative is not None and (narrative.scope, narrative.period) != (scope, period):
        errors.append(
            DataError(
                "The document",
                None,
                None,
                f"{narrative.scope} {narrative.period}",
                f"scope and period of this report: {scope} {period}",
            )
        )
    if errors:
        return errors
    row = models.ReportNarrative.objects.filter(scope=scope, period=str(period)).first()
    if row is None:  # a new one; two made at once clash on the unique constraint
        row = models.ReportNarrative(scope=scope, period=str(period))
    row.document = document
    row.updated_by = user
    save_versioned(row, version, user)  # EditConflictError if changed since it was opened
    return []
