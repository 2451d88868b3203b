"""The pack's appendix "Proposed strategic indicators for comment" (docs/proposals.md).

A pack for period P carries, for every round whose ``circulate_in`` is P, the proposals put
forward (not drafts) that concern its scope: a committee's pack those whose consulted committees
include it, a directorate's (or a directorate's strategic scorecard) its directorate's, the
organisation's (and the Organisational Scorecard) all of them. Each is described in words once
here, as label and value rows and its comments, and every format renders the same rows.

The baseline is the register's figure for P when the register already holds an indicator with
the proposal's ref (the engine's own :func:`~kpiboard.analysis.values.value_for_period`: a
quarter of a monthly ratio is its months' numerators over their denominators), else
:data:`NEW_INDICATOR`.
"""

from __future__ import annotations

from dataclasses import dataclass

from kpiboard.analysis.evaluate import Evaluation
from kpiboard.analysis.model import Dataset
from kpiboard.analysis.periods import Frequency, Period
from kpiboard.analysis.proposals import Proposal, ProposalComment
from kpiboard.analysis.values import value_for_period
from kpiboard.reports.cards import DIRECTION_WORDS
from kpiboard.reports.formatting import format_value
from kpiboard.reports.words import figure_label, long_date

__all__ = [
    "COMMENT_HEADINGS",
    "NEW_INDICATOR",
    "NO_COMMENTS",
    "PROPOSALS_TITLE",
    "CommentRow",
    "ProposalAppendix",
    "ProposalEntry",
    "proposal_appendix",
    "proposals_for_scope",
]

PROPOSALS_TITLE = "Proposed strategic indicators for comment"
NEW_INDICATOR = "New indicator: no figures yet"
NO_COMMENTS = "No comments have been recorded yet."
NO_RESPONSE = "No response yet."
COMMENT_HEADINGS = ("Committee", "Meeting", "Comment", "Officer's response")

FREQUENCY_WORDS = {
    Frequency.MONTH: "Monthly",
    Frequency.QUARTER: "Quarterly",
    Frequency.YEAR: "Annually",
}


@dataclass(frozen=True, slots=True)
class CommentRow:
    """A committee's comment in words: who, when, what, and the officer's response."""

    committee: str
    meeting: str
    comment: str
    response: str

    @property
    def cells(self) -> tuple[str, str, str, str]:
        return (self.committee, self.meeting, self.comment, self.response)


@dataclass(frozen=True, slots=True)
class ProposalEntry:
    """One proposal as the appendix shows it: its heading, its rows, and its comments."""

    ref: str
    name: str
    rows: tuple[tuple[str, str], ...]
    comments: tuple[CommentRow, ...]

    @property
    def title(self) -> str:
        return f"{self.ref}: {self.name}"

    @property
    def anchor(self) -> str:
        return "proposal-" + "".join(c if c.isalnum() else "-" for c in self.ref)

    @property
    def caption(self) -> str:
        return f"Proposed strategic indicator {self.ref}"

    @property
    def comments_caption(self) -> str:
        return f"Comments on proposed indicator {self.ref}"


@dataclass(frozen=True, slots=True)
class ProposalAppendix:
    """The appendix: its title (numbered after the dashboard), the words under it, the
    proposals."""

    title: str
    introduction: str
    entries: tuple[ProposalEntry, ...]

    @property
    def anchor(self) -> str:
        return "appendix-2"


def proposals_for_scope(dataset: Dataset, evaluation: Evaluation) -> list[Proposal]:
    """The proposals the pack of ``evaluation`` circulates for comment, in file order."""
    rounds = {r.id for r in dataset.rounds if r.circulate_in == evaluation.period}
    committee, directorate = evaluation.committee, evaluation.directorate
    return [
        p
        for p in dataset.proposals
        if p.round in rounds
        and p.state.circulated
        and (committee is None or committee.id in p.committees)
        and (directorate is None or p.directorate == directorate.id)
    ]


def proposal_appendix(dataset: Dataset, evaluation: Evaluation) -> ProposalAppendix | None:
    """The appendix for the pack of ``evaluation``; None when it circulates no proposal."""
    chosen = proposals_for_scope(dataset, evaluation)
    if not chosen:
        return None
    names = {r.id: r.name for r in dataset.rounds}
    rounds = list(dict.fromkeys(names[p.round] for p in chosen))
    period = evaluation.period
    introduction = (
        f"The following {len(chosen)} proposed strategic "
        f"{'indicator is' if len(chosen) == 1 else 'indicators are'} circulated for comment "
        f"({'; '.join(rounds)}). Each shows its definition, why it is proposed, its proposed "
        f"target and, where the Council already measures it, its figure for {period}."
    )
    return ProposalAppendix(
        title=f"Appendix 2: {PROPOSALS_TITLE}",
        introduction=introduction,
        entries=tuple(_entry(dataset, p, period) for p in chosen),
    )


def _entry(dataset: Dataset, proposal: Proposal, period: Period) -> ProposalEntry:
    organisation = dataset.organisation
    committees = {c.id: c.name for c in organisation.committees}
    directorates = {d.id: d.name for d in organisation.directorates}
    ambitions = {a.id: a.name for a in organisation.ambitions}
    target = "None proposed"
    if proposal.target is not None:
        target = format_value(proposal.target, proposal.unit, proposal.decimals)
        if proposal.start is not None:
            target += f" from {proposal.start}"
    rows = [
        ("Directorate", directorates.get(proposal.directorate, proposal.directorate)),
        ("Definition", proposal.description or "Not given."),
        ("Why it is proposed", proposal.rationale or "Not given."),
        ("Owner", proposal.owner or "Not given."),
        ("Direction", DIRECTION_WORDS[proposal.direction]),
        ("Frequency", FREQUENCY_WORDS[proposal.frequency]),
        ("Proposed target", target),
        (
            "Ambitions served",
            "; ".join(ambitions.get(a, a) for a in proposal.ambitions) or "None named",
        ),
        (
            "National definition",
            "Yes: statistical neighbours' figures can be shown beside the Council's"
            if proposal.national_definition
            else "No",
        ),
        ("Committees consulted", "; ".join(committees.get(c, c) for c in proposal.committees)),
        (f"Baseline ({period})", _baseline(dataset, proposal, period)),
    ]
    if proposal.state.decided:
        decision = proposal.state.words
        if proposal.decided_by:
            decision += f" by the {committees.get(proposal.decided_by, proposal.decided_by)}"
        if proposal.decided_on is not None:
            decision += f" on {long_date(proposal.decided_on)}"
        rows.append(("Decision", decision))
        if proposal.amendment:
            rows.append(("Amendment", proposal.amendment))
        if proposal.amendment_reason:
            rows.append(("Reason for the amendment", proposal.amendment_reason))
    comments = [
        c for c in dataset.proposal_comments if c.round == proposal.round and c.ref == proposal.ref
    ]
    return ProposalEntry(
        ref=proposal.ref,
        name=proposal.name,
        rows=tuple(rows),
        comments=tuple(_comment(c, committees) for c in comments),
    )


def _baseline(dataset: Dataset, proposal: Proposal, period: Period) -> str:
    """The register's figure for ``period`` with the period it belongs to, or why there is none."""
    indicator = next((i for i in dataset.indicators if i.ref == proposal.ref), None)
    if indicator is None:
        return NEW_INDICATOR
    value = value_for_period(indicator, dataset.observations.get(indicator.ref, ()), period)
    if value is None:
        return f"No figure for {period} yet (indicator {indicator.ref} is in the register)"
    shown = format_value(value.value, indicator.unit, indicator.decimals)
    return f"{shown} for {figure_label(value, indicator.frequency, period)}"


def _comment(comment: ProposalComment, committees: dict[str, str]) -> CommentRow:
    return CommentRow(
        committee=committees.get(comment.committee, comment.committee),
        meeting=long_date(comment.meeting_date),
        comment=comment.comment,
        response=comment.response or NO_RESPONSE,
    )
