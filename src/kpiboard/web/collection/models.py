"""Returns: one indicator's figure and commentary for one period, and its review.

A return moves draft -> submitted -> approved, or submitted -> returned (with a reason) -> back to
its owner, who corrects and submits again. Only approved returns reach the engine, the reports and
the readers. Imported figures arrive approved (the performance team imports them). Every change is
kept by django-simple-history with who made it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from kpiboard.datafiles import schema
from kpiboard.web.fields import ExactDecimalField
from kpiboard.web.register.models import Indicator


class ReturnState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned to owner"
    APPROVED = "approved", "Approved"


class Return(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="returns")
    period = models.CharField(max_length=20)
    period_start = models.IntegerField()

    #: The value as given; None where only a numerator and denominator were (the engine then
    #: computes it, exactly as from a data folder).
    value = ExactDecimalField(null=True, blank=True)
    numerator = ExactDecimalField(null=True, blank=True)
    denominator = ExactDecimalField(null=True, blank=True)
    lower_ci = ExactDecimalField(null=True, blank=True)
    upper_ci = ExactDecimalField(null=True, blank=True)
    rebase = models.BooleanField(default=False)
    note = models.TextField(blank=True, max_length=schema.NOTE_LENGTH)
    commentary = models.TextField(blank=True, max_length=schema.COMMENTARY_LENGTH)
    author = models.CharField(max_length=200, blank=True)

    state = models.CharField(max_length=10, choices=ReturnState.choices, default=ReturnState.DRAFT)
    reason = models.TextField("reason for returning", blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: Who typed it when not the indicator's owner (the performance team, for an owner away):
    #: "entered by X for Y". Neither they nor the submitter may approve it.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: Why the figure looked unlikely when it was entered (kpiboard.analysis.plausibility), and
    #: the reason its owner gave for it being right; both shown to the reviewer.
    surprise = models.TextField("warning", blank=True)
    surprise_reason = models.TextField("why the figure is right", blank=True)

    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ("indicator", "period_start")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="one_return_per_period")
        ]
        indexes = [models.Index(fields=["state", "period_start"])]

    def __str__(self) -> str:
        return f"{self.indicator.ref} {self.period}"

    @property
    def has_figure(self) -> bool:
        return self.value is not None or (
            self.numerator is not None and self.denominator is not None
        )


class ReturnBreakdown(models.Model):
    """One group's figure beside a return's (breakdowns.csv): approved, audited and shown with
    the return it belongs to, and never judged against the indicator's target."""

    return_row = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="breakdowns")
    group = models.CharField(max_length=200)
    #: As given; None where only a numerator and denominator were (computed, as for a return).
    value = ExactDecimalField(null=True, blank=True)
    numerator = ExactDecimalField(null=True, blank=True)
    denominator = ExactDecimalField(null=True, blank=True)
    note = models.TextField(blank=True, max_length=schema.NOTE_LENGTH)
    position = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ("return_row", "position", "pk")
        constraints = [
            models.UniqueConstraint(fields=["return_row", "group"], name="one_figure_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.return_row} {self.group}"
