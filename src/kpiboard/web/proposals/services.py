"""Writes of the proposal cycle, each recorded in the history with who made it.

Rounds are opened, changed, closed and reopened by the performance team; proposals drafted,
changed and put forward; comments recorded and answered; and proposals decided (adoption is in
:mod:`kpiboard.web.proposals.adoption`). Every row written here carries django-simple-history's
record (who, when, old → new) and, where a person edits it in a form, the ``version`` it was
shown at (:func:`kpiboard.web.concurrency.save_versioned`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from kpiboard.analysis.proposals import ProposalState, RoundState
from kpiboard.web import clock
from kpiboard.web.concurrency import save_versioned
from kpiboard.web.proposals import models
from kpiboard.web.register.models import Committee

__all__ = [
    "ProposalError",
    "comment_record",
    "comment_respond",
    "ensure_decidable",
    "proposal_put_forward",
    "proposal_set_aside",
    "round_close",
    "round_open",
    "round_reopen",
    "why",
]


#: django-simple-history's history_change_reason column holds at most this many characters.
REASON_MAX = 100


def why(instance: Any, text: str) -> None:
    """Record ``text`` as the reason of the history row the next save of ``instance`` makes
    (shortened to the column's 100 characters: a committee's name may be longer)."""
    instance._change_reason = text if len(text) <= REASON_MAX else text[: REASON_MAX - 1] + "…"


class ProposalError(ValueError):
    """A change the cycle does not allow, in words the person can act on."""


def round_open(*, round: models.ProposalRound, user: Any) -> models.ProposalRound:
    """Save a new round (from its form), open from today."""
    round.state = RoundState.OPEN.value
    round.opened_on = clock.today()
    why(round, "Round opened")
    save_versioned(round, None, user)
    return round


def _round_state(round: models.ProposalRound, version: int, user: Any, state: RoundState) -> None:
    if round.state == state.value:
        raise ProposalError(f"{round.name} is already {state.value}")
    round.state = state.value
    round.closed_on = clock.today() if state is RoundState.CLOSED else None
    why(round, f"Round {'closed' if state is RoundState.CLOSED else 'reopened'}")
    save_versioned(round, version, user)


def round_close(*, round: models.ProposalRound, version: int, user: Any) -> None:
    _round_state(round, version, user, RoundState.CLOSED)


def round_reopen(*, round: models.ProposalRound, version: int, user: Any) -> None:
    _round_state(round, version, user, RoundState.OPEN)


def proposal_put_forward(*, proposal: models.Proposal, version: int, user: Any) -> None:
    """A draft becomes proposed: seen by every role, and circulated in the round's packs."""
    if not proposal.round.is_open:
        raise ProposalError(f"{proposal.round.name} is closed: reopen it to put proposals forward")
    if proposal.state != ProposalState.DRAFT.value:
        raise ProposalError(f"{proposal.ref} is {proposal.state}, not a draft")
    missing = [
        words
        for words, given in (
            ("a definition", proposal.description.strip()),
            ("an owner", proposal.owner),
            ("a consulted committee", proposal.committees.exists()),
        )
        if not given
    ]
    if missing:
        raise ProposalError(
            f"{proposal.ref} needs {' and '.join(missing)} before it is put forward: change it"
        )
    proposal.state = ProposalState.PROPOSED.value
    why(proposal, "Put forward")
    save_versioned(proposal, version, user)


def proposal_set_aside(
    *,
    proposal: models.Proposal,
    version: int,
    state: ProposalState,
    committee: Committee,
    meeting: dt.date,
    user: Any,
) -> None:
    """Deferred or dropped by ``committee`` at its meeting of ``meeting``."""
    if state not in (ProposalState.DEFERRED, ProposalState.DROPPED):
        raise ValueError(f"{state} is not deferred or dropped")
    ensure_decidable(proposal)
    proposal.state = state.value
    proposal.decided_by = committee
    proposal.decided_on = meeting
    why(proposal, f"{state.words} by {committee.name} on {meeting:%-d %B %Y}")
    save_versioned(proposal, version, user)


def ensure_decidable(proposal: models.Proposal) -> None:
    if not proposal.round.is_open:
        raise ProposalError(f"{proposal.round.name} is closed: reopen it to record decisions")
    if proposal.state != ProposalState.PROPOSED.value:
        raise ProposalError(
            f"{proposal.ref} is {proposal.state}: only a proposal put forward is decided"
        )


def comment_record(
    *,
    proposal: models.Proposal,
    committee: Committee,
    meeting_date: dt.date,
    comment: str,
    user: Any,
) -> models.ProposalComment:
    """What ``committee`` said about a proposal put forward, at its meeting."""
    if proposal.state == ProposalState.DRAFT.value:
        raise ProposalError(f"{proposal.ref} is a draft: comments come once it is put forward")
    if not proposal.round.is_open:
        raise ProposalError(f"{proposal.round.name} is closed: reopen it to record comments")
    with transaction.atomic():
        position = proposal.comments.count()
        row = models.ProposalComment(
            proposal=proposal,
            committee=committee,
            meeting_date=meeting_date,
            comment=comment.strip(),
            position=position,
        )
        why(row, "Comment recorded")
        save_versioned(row, None, user)
    return row


def comment_respond(
    *, comment: models.ProposalComment, response: str, version: int, user: Any
) -> None:
    """The officer's response beside a comment (a new response replaces the old, kept in the
    history)."""
    if not comment.proposal.round.is_open:
        raise ProposalError(
            f"{comment.proposal.round.name} is closed: reopen it to record responses"
        )
    comment.response = response.strip()
    why(comment, "Response recorded")
    save_versioned(comment, version, user)
