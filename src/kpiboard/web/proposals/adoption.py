"""A proposal adopted: the register's indicator made (or the existing one of that ref changed)
active and strategic, with the target from its start period, in one transaction.

What the register does for an indicator saved in its form and a target set on its page is done
here through the same pieces: :func:`kpiboard.web.concurrency.save_versioned` for the indicator
(history as the person deciding, the version checked), the target as ``target_save`` writes it
(with :func:`kpiboard.web.register.targets.record_revisions` when the start period was already
reported), and the data version bumped once (:func:`kpiboard.web.register.signals.one_bump`).
Returns are due from it at once: :func:`kpiboard.web.collection.views.due_returns` lists every
active indicator's returns for its owner.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from kpiboard.analysis.model import Category, Unit
from kpiboard.analysis.periods import parse_period
from kpiboard.analysis.proposals import ProposalState
from kpiboard.datafiles.bounds import bounds_indicator, read_bound, refusal
from kpiboard.web.concurrency import save_versioned
from kpiboard.web.proposals import models
from kpiboard.web.proposals.services import ProposalError, ensure_decidable, why
from kpiboard.web.register import models as register
from kpiboard.web.register.signals import one_bump
from kpiboard.web.register.targets import record_revisions, reported_in

__all__ = ["proposal_adopt"]

#: What an adopted proposal gives its indicator, field for field.
_COPIED = (
    "name",
    "description",
    "unit",
    "decimals",
    "direction",
    "frequency",
    "directorate",
    "owner",
    "national_definition",
)


def proposal_adopt(
    *,
    proposal: models.Proposal,
    version: int,
    committee: register.Committee,
    meeting: dt.date,
    amended: dict[str, Any],
    amendment: str,
    reason: str,
    user: Any,
) -> register.Indicator:
    """Adopt ``proposal`` as decided by ``committee`` on ``meeting``, with ``amended`` (field ->
    new value, committees and ambitions as lists of rows) applied first; ``amendment`` says in
    words what changed and ``reason`` why. Returns the register's indicator."""
    ensure_decidable(proposal)
    decided = (
        f"Adopted as a strategic KPI in {proposal.round.name} by {committee.name} "
        f"on {meeting:%-d %B %Y}"
    )
    with transaction.atomic(), one_bump():
        for name, value in amended.items():
            if name not in ("committees", "ambitions"):
                setattr(proposal, name, value)
        proposal.state = ProposalState.ADOPTED.value
        proposal.decided_by = committee
        proposal.decided_on = meeting
        proposal.amendment = amendment
        proposal.amendment_reason = reason.strip() if amendment else ""
        why(proposal, f"Adopted by {committee.name} on {meeting:%-d %B %Y}")
        save_versioned(proposal, version, user)
        for name in ("committees", "ambitions"):
            if name in amended:
                getattr(proposal, name).set(amended[name])
        row = _indicator(proposal, committee, meeting, decided, user)
        _target(proposal, row, committee, meeting, decided, user)
    return row


def _indicator(
    proposal: models.Proposal,
    committee: register.Committee,
    meeting: dt.date,
    decided: str,
    user: Any,
) -> register.Indicator:
    row = register.Indicator.objects.select_for_update().filter(ref=proposal.ref).first()
    if row is None:
        row = register.Indicator(
            ref=proposal.ref, position=register.Indicator.objects.count(), category=""
        )
    version = row.version if row.pk else None
    for name in _COPIED:
        setattr(row, name, getattr(proposal, name))
    if proposal.target is not None:
        row.category = Category.TARGETED.value
    elif row.pk is None or row.category in ("", Category.SUSPENDED.value):
        row.category = Category.BASELINE.value
    row.lifecycle = register.Lifecycle.ACTIVE
    row.strategic = True
    row.decided_by = committee
    row.decided_on = meeting
    row.ended_from = ""
    row.decision_note = decided + (f". Amended: {proposal.amendment}" if proposal.amendment else "")
    why(row, f"Adopted as a strategic KPI by {committee.name} on {meeting:%-d %B %Y}")
    save_versioned(row, version, user)
    row.committees.set(proposal.committees.all())
    row.ambitions.set(proposal.ambitions.all())
    return row


def _target(
    proposal: models.Proposal,
    row: register.Indicator,
    committee: register.Committee,
    meeting: dt.date,
    decided: str,
    user: Any,
) -> None:
    if proposal.target is None:
        return
    limits = bounds_indicator(
        row.ref,
        Unit(row.unit),
        read_bound(row.minimum),
        read_bound(row.maximum),
        row.integer,
        row.unit_label,
    )
    impossible = refusal(limits, proposal.target)
    if impossible:
        raise ProposalError(
            f"The target of {row.ref} cannot be {proposal.target}: enter {impossible}"
        )
    period = parse_period(proposal.start)
    reported = reported_in(row, period)
    target = (
        register.Target.objects.select_for_update()
        .filter(indicator=row, start=period.label)
        .first()
    )
    old = None
    if target is None:
        target = register.Target(indicator=row, start=period.label, period_start=period.start)
    else:
        old = target.value
        target.version += 1
    target.value = proposal.target
    target.reason = decided
    target.decided_by = committee
    target.decided_on = meeting
    target._history_user = user  # type: ignore[attr-defined]
    why(target, f"Adopted by {committee.name} on {meeting:%-d %B %Y}")
    target.save()
    record_revisions(row, target, old, reported, user)
