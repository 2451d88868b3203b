"""The framework's own cycle in the database (issue 17): a round of proposed strategic indicators,
each proposal's comments from committees with the officer's response, and the decision.

The rows mirror :mod:`kpiboard.analysis.proposals` (a round's ``code`` is the dataclass's ``id``);
periods are kept as their label (``2024/25 Q2``) as the register keeps them. Every change of a
round, proposal or comment is kept by django-simple-history, with who made it; proposals and
comments carry a ``version`` that a save must match (:mod:`kpiboard.web.concurrency`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from kpiboard.analysis.model import Direction, Unit
from kpiboard.analysis.periods import Frequency
from kpiboard.analysis.proposals import ProposalState, RoundState
from kpiboard.datafiles import schema
from kpiboard.web.fields import ExactDecimalField
from kpiboard.web.register.models import Ambition, Committee, Directorate, choices, validate_ref


class ProposalRound(models.Model):
    code = models.CharField("id", max_length=50, unique=True)
    name = models.CharField(max_length=500)
    state = models.CharField(
        max_length=10, choices=choices(RoundState), default=RoundState.OPEN.value
    )
    circulate_in = models.CharField(
        "circulated in",
        max_length=20,
        blank=True,
        help_text="The reporting period whose committee packs carry the proposals for comment",
    )
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ("-opened_on", "code")

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.state == RoundState.OPEN.value


class Proposal(models.Model):
    round = models.ForeignKey(ProposalRound, on_delete=models.CASCADE, related_name="proposals")
    ref = models.CharField(
        max_length=50,
        validators=[validate_ref],
        help_text="The ref it will have in the register, such as 182 or ASC-1.2",
    )
    name = models.CharField(max_length=500)
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="proposals")
    unit = models.CharField(max_length=20, choices=choices(Unit))
    direction = models.CharField(max_length=10, choices=choices(Direction))
    frequency = models.CharField(max_length=10, choices=choices(Frequency))
    committees = models.ManyToManyField(
        Committee,
        related_name="proposals",
        help_text="The committees consulted, which an adopted indicator is reported to",
    )
    description = models.TextField("definition", blank=True, max_length=schema.DESCRIPTION_LENGTH)
    rationale = models.TextField(blank=True, max_length=schema.DESCRIPTION_LENGTH)
    owner = models.EmailField("owner's e-mail address", blank=True)
    decimals = models.PositiveSmallIntegerField(default=1)
    target = ExactDecimalField("proposed target", null=True, blank=True)
    start = models.CharField(
        "from period", max_length=20, blank=True, help_text="The first period reported"
    )
    ambitions = models.ManyToManyField(Ambition, related_name="proposals", blank=True)
    national_definition = models.BooleanField(default=False)
    state = models.CharField(
        max_length=10, choices=choices(ProposalState), default=ProposalState.DRAFT.value
    )
    decided_by = models.ForeignKey(
        Committee,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposal_decisions",
    )
    decided_on = models.DateField("meeting date", null=True, blank=True)
    amendment = models.TextField(blank=True, max_length=schema.DESCRIPTION_LENGTH)
    amendment_reason = models.TextField(blank=True, max_length=schema.DESCRIPTION_LENGTH)
    position = models.PositiveIntegerField(default=0, help_text="Order in proposals.csv")
    #: Who made the draft (none for one imported from files): a draft is theirs, its owner's and
    #: the performance team's to see.
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(m2m_fields=[committees, ambitions])

    class Meta:
        ordering = ("round", "position", "ref")
        constraints = [
            models.UniqueConstraint(fields=["round", "ref"], name="one_proposal_per_ref_in_round")
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.name}"

    @property
    def state_enum(self) -> ProposalState:
        return ProposalState(self.state)


class ProposalComment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+")
    meeting_date = models.DateField()
    comment = models.TextField(max_length=schema.COMMENTARY_LENGTH)
    response = models.TextField(
        "officer's response", blank=True, max_length=schema.COMMENTARY_LENGTH
    )
    position = models.PositiveIntegerField(default=0, help_text="Order in comments.csv")
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ("proposal", "meeting_date", "position", "pk")

    def __str__(self) -> str:
        return f"{self.committee} on {self.proposal.ref}, {self.meeting_date:%-d %B %Y}"
