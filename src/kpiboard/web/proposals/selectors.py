"""Reading the proposal cycle: the rounds, and where each proposal of a round stands, with only
the drafts the person may see (their own, their indicators', or all for the performance team)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from kpiboard.analysis.proposals import ProposalState
from kpiboard.web.proposals import models
from kpiboard.web.register.history import HIDDEN, describe, person
from kpiboard.web.register.models import Ambition, Committee, Directorate

__all__ = [
    "DirectorateGroup",
    "history_entries",
    "round_by_directorate",
    "rounds_with_counts",
    "state_counts",
    "visible_proposals",
]


def visible_proposals(user: Any, proposals: QuerySet[models.Proposal]) -> QuerySet[models.Proposal]:
    """``proposals`` less the drafts ``user`` may not see (kpiboard.view_proposal, as a query)."""
    if user.has_perm("kpiboard.manage_rounds"):
        return proposals
    mine = Q(drafted_by=user.pk)
    if user.email:
        mine |= Q(owner__iexact=user.email.strip())
    return proposals.filter(~Q(state=ProposalState.DRAFT.value) | mine)


def rounds_with_counts(user: Any) -> list[tuple[models.ProposalRound, dict[str, int]]]:
    """Each round, newest first, with how many of its proposals (that ``user`` sees) are in each
    state."""
    counts: dict[int, dict[str, int]] = {}
    rows = (
        visible_proposals(user, models.Proposal.objects.all())
        .values("round_id", "state")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts.setdefault(row["round_id"], {})[row["state"]] = row["n"]
    return [(item, counts.get(item.pk, {})) for item in models.ProposalRound.objects.all()]


@dataclass(frozen=True, slots=True)
class DirectorateGroup:
    directorate: Directorate
    proposals: list[models.Proposal]


def round_by_directorate(round: models.ProposalRound, user: Any) -> list[DirectorateGroup]:
    """The round's proposals ``user`` sees, by directorate in the register's order, each with its
    consulted committees and (as ``comment_count``) its number of comments."""
    proposals = (
        visible_proposals(user, round.proposals.all())
        .select_related("directorate", "decided_by")
        .prefetch_related("committees")
        .annotate(comment_count=Count("comments"))
        .order_by("directorate__position", "directorate__code", "position", "ref")
    )
    groups: list[DirectorateGroup] = []
    for proposal in proposals:
        if not groups or groups[-1].directorate.pk != proposal.directorate_id:
            groups.append(DirectorateGroup(proposal.directorate, []))
        groups[-1].proposals.append(proposal)
    return groups


def history_entries(sources: list[tuple[str, Any]], most: int = 300) -> list[dict[str, Any]]:
    """The history rows of ``sources`` ((kind, history queryset) pairs) in words, newest first:
    who, when, created or changed, the reason the service gave, and each field old -> new."""
    entries = []
    names: dict[tuple[Any, Any], str] = {}
    for kind, records in sources:
        for record in records.select_related("history_user").order_by("-history_date")[:most]:
            entries.append(
                {
                    "kind": kind,
                    "what": str(getattr(record, "ref", "") or ""),
                    "when": record.history_date,
                    "who": person(record.history_user),
                    "type": {"+": "Created", "~": "Changed", "-": "Deleted"}[record.history_type],
                    "why": record.history_change_reason or "",
                    "changes": _changes(record, names),
                }
            )
    entries = [e for e in entries if e["type"] != "Changed" or e["changes"] or e["why"]]
    entries.sort(key=lambda entry: entry["when"], reverse=True)
    return entries[:most]


#: Many-to-many fields kept in a proposal's history: the model each row of the list names.
_LISTS = {"committees": (Committee, "committee"), "ambitions": (Ambition, "ambition")}


def _changes(record: Any, names: dict[tuple[Any, Any], str]) -> list[tuple[str, str, str]]:
    """:func:`kpiboard.web.register.history.describe`, with the committees and ambitions a
    proposal's history keeps as rows (``{'proposal': 7, 'committee': 1}``) named."""
    changes = describe(record, names)
    previous = record.prev_record
    if previous is None or not any(label.lower() in _LISTS for label, _, _ in changes):
        return changes
    delta = record.diff_against(previous, excluded_fields=sorted(HIDDEN))
    lists = {change.field: change for change in delta.changes if change.field in _LISTS}
    named = []
    for label, old, new in changes:
        change = lists.get(label.lower())
        if change is not None:
            model, key = _LISTS[change.field]
            old, new = (_names(model, key, rows) for rows in (change.old, change.new))
            if old == new:
                continue
        named.append((label, old, new))
    return named


def _names(model: Any, key: str, rows: Any) -> str:
    ids = [row.get(key) for row in rows or () if isinstance(row, dict)]
    found = dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))
    return ", ".join(sorted(found.get(pk, f"(removed, {pk})") for pk in ids)) or "none"


def state_counts(groups: list[DirectorateGroup]) -> list[tuple[str, int]]:
    """How many of the proposals shown are in each state, in the cycle's order, omitting none:
    ``[("Proposed", 6), ("Draft", 1)]``."""
    seen: dict[str, int] = {}
    for group in groups:
        for proposal in group.proposals:
            seen[proposal.state] = seen.get(proposal.state, 0) + 1
    return [(state.words, seen[state.value]) for state in ProposalState if state.value in seen]
