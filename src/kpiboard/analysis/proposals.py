"""The framework's own cycle (docs/proposals.md): strategic indicators proposed in a round,
circulated to committees for comment, and adopted, deferred or dropped.

A :class:`ProposalRound` ("Strategic KPIs for 2025/26") holds :class:`Proposal` rows, one per
proposed strategic key performance indicator (SKPI), each from a directorate; the packs of the
round's ``circulate_in`` period carry the proposals for each consulted committee to comment on;
:class:`ProposalComment` rows record what a committee said, with the officer's response. An
adopted proposal enters the register as an active indicator flagged strategic
(:attr:`kpiboard.analysis.model.Indicator.strategic`), from which the Organisational Scorecard
and each directorate's strategic scorecard are built.

These are plain frozen dataclasses like :mod:`kpiboard.analysis.model`: the data folder's
``proposals/`` files and the web's database both become them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from kpiboard.analysis.model import Direction, Unit
from kpiboard.analysis.periods import Frequency, Period

__all__ = [
    "Proposal",
    "ProposalComment",
    "ProposalRound",
    "ProposalState",
    "RoundState",
]


class RoundState(StrEnum):
    """A round is open while directorates draft and committees comment, then closed."""

    OPEN = "open"
    CLOSED = "closed"


class ProposalState(StrEnum):
    """Where one proposal stands.

    ``draft`` is the directorate's own; ``proposed`` is put forward (it is circulated in the
    round's packs); ``adopted``, ``deferred`` and ``dropped`` are a committee's decision.
    """

    DRAFT = "draft"
    PROPOSED = "proposed"
    ADOPTED = "adopted"
    DEFERRED = "deferred"
    DROPPED = "dropped"

    @property
    def words(self) -> str:
        return self.value.capitalize()

    @property
    def decided(self) -> bool:
        return self in {ProposalState.ADOPTED, ProposalState.DEFERRED, ProposalState.DROPPED}

    @property
    def circulated(self) -> bool:
        """Whether a pack carries it for comment: anything put forward (not a draft)."""
        return self is not ProposalState.DRAFT


@dataclass(frozen=True, slots=True)
class ProposalRound:
    """One round of proposals (proposals/rounds.csv).

    ``circulate_in`` is the reporting period whose packs carry the round's proposals for comment
    (the seed's 2024/25 Q2 reports); None until the performance team chooses it.
    """

    id: str
    name: str
    state: RoundState = RoundState.OPEN
    circulate_in: Period | None = None
    opened_on: date | None = None
    closed_on: date | None = None


@dataclass(frozen=True, slots=True)
class Proposal:
    """One proposed strategic indicator (proposals/proposals.csv).

    ``ref`` is the ref it has in the register once adopted; when the register already holds an
    indicator with that ref (an existing KPI proposed as strategic), its figures are the
    proposal's baseline and adoption flags it strategic rather than adding a new one.
    ``committees`` are the committees consulted, which are also those an adopted indicator is
    reported to. ``target`` applies from ``start`` (the first period reported). After a
    decision, ``decided_by`` and ``decided_on`` name the committee and meeting; an amended
    adoption carries the fields as amended, with ``amendment`` saying what changed and
    ``amendment_reason`` why.
    """

    round: str
    ref: str
    name: str
    directorate: str
    unit: Unit
    direction: Direction
    frequency: Frequency
    committees: tuple[str, ...]
    description: str = ""
    rationale: str = ""
    owner: str = ""
    decimals: int = 1
    target: Decimal | None = None
    start: Period | None = None
    ambitions: tuple[str, ...] = ()
    national_definition: bool = False
    state: ProposalState = ProposalState.DRAFT
    decided_by: str = ""
    decided_on: date | None = None
    amendment: str = ""
    amendment_reason: str = ""


@dataclass(frozen=True, slots=True)
class ProposalComment:
    """What a committee said about a proposal at a meeting, and the officer's response
    (proposals/comments.csv)."""

    round: str
    ref: str
    committee: str
    meeting_date: date
    comment: str
    response: str = ""
