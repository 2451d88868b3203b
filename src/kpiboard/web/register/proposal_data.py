"""The framework's proposal rounds between the database and the engine's ``Dataset`` (issue 17):
the same :mod:`kpiboard.analysis.proposals` objects a data folder's ``proposals/`` files give.

:func:`stored_proposals` builds them from :mod:`kpiboard.web.proposals.models` for report packs
(their appendix "Proposed strategic indicators for comment") and exports;
:func:`plan_proposals` and :func:`apply_proposals` take a source's rounds, proposals and
comments into the database beside the rest of an import (:mod:`.transfer`, :mod:`.apply`): in the
same transaction, every change kept in the rows' history as made by the person importing.

As for every other row, an import never deletes. A round is known by its id, a proposal by its
round and ref. comments.csv has no id: a comment is known by its proposal, committee, meeting
date and its place among that committee's comments on the proposal at that meeting (the first,
the second...), so a changed response or corrected wording is a change, not a second comment.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from django.db.models.signals import post_save

from kpiboard.analysis.model import Dataset, Direction, Unit
from kpiboard.analysis.periods import Frequency, Period, parse_period
from kpiboard.analysis.proposals import (
    Proposal,
    ProposalComment,
    ProposalRound,
    ProposalState,
    RoundState,
)
from kpiboard.web.proposals import models as rows
from kpiboard.web.register import models

__all__ = [
    "CommentKey",
    "ProposalKey",
    "apply_proposals",
    "plan_proposals",
    "stored_proposals",
]

ProposalKey = tuple[str, str]  # round id, ref
CommentKey = tuple[str, str, str, str, int]  # round id, ref, committee, meeting date, place

Stored = tuple[tuple[ProposalRound, ...], tuple[Proposal, ...], tuple[ProposalComment, ...]]


def stored_proposals(year_start_month: int) -> Stored:
    """Every round, proposal and comment in the database, in the order the files hold them:
    rounds as they were made, proposals and comments by their position."""
    label = functools.lru_cache(maxsize=None)(
        lambda text: parse_period(text, None, year_start_month)
    )

    def period(text: str) -> Period | None:
        return label(text) if text else None

    rounds = tuple(
        ProposalRound(
            id=row.code,
            name=row.name,
            state=RoundState(row.state),
            circulate_in=period(row.circulate_in),
            opened_on=row.opened_on,
            closed_on=row.closed_on,
        )
        for row in rows.ProposalRound.objects.order_by("pk")
    )
    chosen = rows.Proposal.objects.select_related("round", "directorate", "decided_by").order_by(
        "position", "round_id", "pk"
    )
    proposal_rows = list(chosen)
    ids = [row.pk for row in proposal_rows]
    committees = _links(rows.Proposal.committees.through, "committee", ids)
    ambitions = _links(rows.Proposal.ambitions.through, "ambition", ids)
    proposals = tuple(
        Proposal(
            round=row.round.code,
            ref=row.ref,
            name=row.name,
            directorate=row.directorate.code,
            unit=Unit(row.unit),
            direction=Direction(row.direction),
            frequency=Frequency(row.frequency),
            committees=tuple(committees.get(row.pk, ())),
            description=row.description,
            rationale=row.rationale,
            owner=row.owner,
            decimals=row.decimals,
            target=row.target,
            start=period(row.start),
            ambitions=tuple(ambitions.get(row.pk, ())),
            national_definition=row.national_definition,
            state=ProposalState(row.state),
            decided_by=row.decided_by.code if row.decided_by else "",
            decided_on=row.decided_on,
            amendment=row.amendment,
            amendment_reason=row.amendment_reason,
        )
        for row in proposal_rows
    )
    comments = tuple(
        ProposalComment(
            round=row.proposal.round.code,
            ref=row.proposal.ref,
            committee=row.committee.code,
            meeting_date=row.meeting_date,
            comment=row.comment,
            response=row.response,
        )
        for row in rows.ProposalComment.objects.select_related(
            "proposal__round", "committee"
        ).order_by("position", "pk")
    )
    return rounds, proposals, comments


def _links(through: Any, field: str, ids: list[int]) -> dict[int, list[str]]:
    """Each proposal's committee (or ambition) ids, in the order they were given."""
    found: dict[int, list[str]] = {}
    for pk, code in (
        through.objects.filter(proposal_id__in=ids)
        .order_by("pk")
        .values_list("proposal_id", f"{field}__code")
    ):
        found.setdefault(pk, []).append(code)
    return found


# -- planning ------------------------------------------------------------------------------------


def _comment_keys(comments: Iterable[ProposalComment]) -> list[tuple[CommentKey, ProposalComment]]:
    """Each comment with its key: its place counts the same committee's comments on the same
    proposal at the same meeting before it."""
    seen: dict[tuple[str, str, str, str], int] = {}
    keyed = []
    for comment in comments:
        base = (comment.round, comment.ref, comment.committee, comment.meeting_date.isoformat())
        place = seen.get(base, 0) + 1
        seen[base] = place
        keyed.append(((*base, place), comment))
    return keyed


def _changes(new: Iterable[tuple[Any, Any]], now: dict[Any, Any]) -> tuple[list[Any], list[Any]]:
    added, changed = [], []
    for key, item in new:
        if key not in now:
            added.append(key)
        elif now[key] != item:
            changed.append(key)
    return added, changed


def plan_proposals(dataset: Dataset, current: Dataset) -> dict[str, list[Any]]:
    """The source's rounds, proposals and comments that are new, and those that differ from the
    database's, as lists of keys named as :class:`~kpiboard.web.register.transfer.Plan`'s
    fields."""
    plan: dict[str, list[Any]] = {}
    plan["new_rounds"], plan["changed_rounds"] = _changes(
        ((r.id, r) for r in dataset.rounds), {r.id: r for r in current.rounds}
    )
    plan["new_proposals"], plan["changed_proposals"] = _changes(
        (((p.round, p.ref), p) for p in dataset.proposals),
        {(p.round, p.ref): p for p in current.proposals},
    )
    plan["new_comments"], plan["changed_comments"] = _changes(
        _comment_keys(dataset.proposal_comments), dict(_comment_keys(current.proposal_comments))
    )
    return plan


# -- applying ------------------------------------------------------------------------------------


def _saved(row: Any, fields: dict[str, Any], user: Any) -> bool:
    """Set ``fields`` on ``row`` and save it (its history made by ``user``) if anything changed;
    a versioned row's version goes up."""
    if row.pk is not None and all(getattr(row, name) == value for name, value in fields.items()):
        return False
    for name, value in fields.items():
        setattr(row, name, value)
    if row.pk is not None and hasattr(row, "version"):
        row.version += 1
    row._history_user = user
    row.save()
    return True


def apply_proposals(dataset: Dataset, user: Any) -> None:
    """Add the source's rounds, proposals and comments, or update those that differ; audited.
    Runs inside :func:`~kpiboard.web.register.apply.apply_plan`'s transaction, after the
    organisation (whose committees, directorates and ambitions these name)."""
    if not (dataset.rounds or dataset.proposals or dataset.proposal_comments):
        return
    who = user if getattr(user, "pk", None) else None
    committees = {c.code: c for c in models.Committee.objects.all()}
    directorates = {d.code: d for d in models.Directorate.objects.all()}
    ambitions = {a.code: a for a in models.Ambition.objects.all()}
    rounds = {r.code: r for r in rows.ProposalRound.objects.all()}
    for given in dataset.rounds:
        round_row = rounds.get(given.id) or rows.ProposalRound(code=given.id)
        _saved(
            round_row,
            {
                "name": given.name,
                "state": given.state.value,
                "circulate_in": str(given.circulate_in) if given.circulate_in else "",
                "opened_on": given.opened_on,
                "closed_on": given.closed_on,
            },
            who,
        )
        rounds[given.id] = round_row
    existing = {
        (p.round.code, p.ref): p for p in rows.Proposal.objects.select_related("round").all()
    }
    proposals: dict[ProposalKey, rows.Proposal] = dict(existing)
    for position, item in enumerate(dataset.proposals):
        key = (item.round, item.ref)
        row = existing.get(key) or rows.Proposal(round=rounds[item.round], ref=item.ref)
        links = {
            "committee": [committees[code].pk for code in item.committees],
            "ambition": [ambitions[code].pk for code in item.ambitions],
        }
        _save_proposal(row, _proposal_fields(item, position, directorates, committees), links, who)
        proposals[key] = row
    _apply_comments(dataset, proposals, committees, who)


def _proposal_fields(
    item: Proposal,
    position: int,
    directorates: dict[str, models.Directorate],
    committees: dict[str, models.Committee],
) -> dict[str, Any]:
    return {
        "name": item.name,
        "directorate": directorates[item.directorate],
        "unit": item.unit.value,
        "direction": item.direction.value,
        "frequency": item.frequency.value,
        "description": item.description,
        "rationale": item.rationale,
        "owner": item.owner,
        "decimals": item.decimals,
        "target": item.target,
        "start": str(item.start) if item.start else "",
        "national_definition": item.national_definition,
        "state": item.state.value,
        "decided_by": committees[item.decided_by] if item.decided_by else None,
        "decided_on": item.decided_on,
        "amendment": item.amendment,
        "amendment_reason": item.amendment_reason,
        "position": position,
    }


def _save_proposal(
    row: rows.Proposal, fields: dict[str, Any], links: dict[str, list[int]], who: Any
) -> None:
    """Save a proposal whose fields or links (committee and ambition ids, in the source's
    order) changed, with one history record by ``who`` that holds the links as saved.

    The links are written in order (a related manager's ``add`` makes a set of them, so a
    proposal consulting ahc then srp came back as srp then ahc), and the history record is
    made once they are there, by the ``post_save`` signal simple-history listens to, so a new
    proposal's first record (``+``) already lists its committees."""
    new = row.pk is None
    now = {} if new else {field: _link_ids(row, field) for field in links}
    fields_changed = new or any(getattr(row, name) != value for name, value in fields.items())
    links_changed = new or any(now[field] != wanted for field, wanted in links.items())
    if not (fields_changed or links_changed):
        return
    for name, value in fields.items():
        setattr(row, name, value)
    if not new:
        row.version += 1
    row._history_user = who  # type: ignore[attr-defined]
    row.save_without_historical_record()  # type: ignore[attr-defined]
    for field, wanted in links.items():
        if new or now[field] != wanted:
            through = _through(field)
            through.objects.filter(proposal_id=row.pk).delete()
            through.objects.bulk_create(
                [through(proposal_id=row.pk, **{f"{field}_id": pk}) for pk in wanted]
            )
    post_save.send(sender=rows.Proposal, instance=row, created=new, raw=False, using=row._state.db)


def _through(field: str) -> Any:
    return getattr(rows.Proposal, f"{field}s").through


def _link_ids(row: rows.Proposal, field: str) -> list[int]:
    return list(
        _through(field)
        .objects.filter(proposal_id=row.pk)
        .order_by("pk")
        .values_list(f"{field}_id", flat=True)
    )


def _apply_comments(
    dataset: Dataset,
    proposals: dict[ProposalKey, rows.Proposal],
    committees: dict[str, models.Committee],
    who: Any,
) -> None:
    stored: dict[CommentKey, rows.ProposalComment] = {}
    seen: dict[tuple[str, str, str, str], int] = {}
    for row in rows.ProposalComment.objects.select_related("proposal__round", "committee").order_by(
        "position", "pk"
    ):
        base = (
            row.proposal.round.code,
            row.proposal.ref,
            row.committee.code,
            row.meeting_date.isoformat(),
        )
        seen[base] = seen.get(base, 0) + 1
        stored[(*base, seen[base])] = row
    for position, (key, item) in enumerate(_comment_keys(dataset.proposal_comments)):
        proposal = proposals[(item.round, item.ref)]
        row = stored.get(key) or rows.ProposalComment(
            proposal=proposal, committee=committees[item.committee]
        )
        _saved(
            row,
            {
                "meeting_date": item.meeting_date,
                "comment": item.comment,
                "response": item.response,
                "position": position,
            },
            who,
        )
